import { sql, type Insertable, type Updateable } from 'kysely';
import type { FeedbackKind, FeedbackMessageTable, FeedbackStatus, FeedbackThreadTable } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function insertThread(db: Db, row: Insertable<FeedbackThreadTable>) {
  await db.insertInto('feedback_threads').values(row).execute();
}

export async function insertMessage(db: Db, row: Insertable<FeedbackMessageTable>) {
  await db.insertInto('feedback_messages').values(row).execute();
}

export async function updateThread(db: Db, tenantId: string, id: string, patch: Updateable<FeedbackThreadTable>) {
  await db.updateTable('feedback_threads').set({ ...patch, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Threads with the names the inbox shows: member, store, assignee, receipt. */
function threadsWithNames(db: Db, tenantId: string) {
  return db
    .selectFrom('feedback_threads as f')
    .innerJoin('members as m', (j) => j.onRef('m.tenant_id', '=', 'f.tenant_id').onRef('m.id', '=', 'f.member_id'))
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'f.tenant_id').onRef('s.id', '=', 'f.store_id'))
    .leftJoin('staff as a', (j) => j.onRef('a.tenant_id', '=', 'f.tenant_id').onRef('a.id', '=', 'f.assignee_id'))
    .leftJoin('transactions as t', (j) => j.onRef('t.tenant_id', '=', 'f.tenant_id').onRef('t.id', '=', 'f.transaction_id'))
    .selectAll('f')
    .select(['m.name as member_name', 's.name as store_name', 'a.name as assignee_name', 't.receipt_no as receipt_no'])
    .where('f.tenant_id', '=', tenantId);
}

export type ThreadRow = Awaited<ReturnType<ReturnType<typeof threadsWithNames>['executeTakeFirstOrThrow']>>;

export function findThread(db: Db, tenantId: string, id: string) {
  return threadsWithNames(db, tenantId).where('f.id', '=', id).executeTakeFirst();
}

export function lockThread(db: Db, tenantId: string, id: string) {
  return db.selectFrom('feedback_threads').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A period of the retailer's calendar: local dates, both inclusive. */
export interface LocalPeriod {
  from?: string;
  to?: string;
}

export interface InboxFilter extends LocalPeriod {
  status?: FeedbackStatus;
  kind?: FeedbackKind;
  storeId?: string;
  /** A staff id, or 'none' for threads nobody is assigned to. */
  assignee?: string;
  rating?: number;
  memberId?: string;
}

const localStart = (date: string, timeZone: string) => sql<Date>`(${date}::date)::timestamp at time zone ${timeZone}`;
const localEnd = (date: string, timeZone: string) => sql<Date>`((${date}::date) + 1)::timestamp at time zone ${timeZone}`;

export function listThreads(db: Db, tenantId: string, timeZone: string, filter: InboxFilter, limit: number, beforeId?: string) {
  let query = threadsWithNames(db, tenantId).orderBy('f.id', 'desc').limit(limit + 1);
  if (filter.status) query = query.where('f.status', '=', filter.status);
  if (filter.kind) query = query.where('f.kind', '=', filter.kind);
  if (filter.storeId) query = query.where('f.store_id', '=', filter.storeId);
  if (filter.assignee === 'none') query = query.where('f.assignee_id', 'is', null);
  else if (filter.assignee) query = query.where('f.assignee_id', '=', filter.assignee);
  if (filter.rating) query = query.where('f.rating', '=', filter.rating);
  if (filter.memberId) query = query.where('f.member_id', '=', filter.memberId);
  if (filter.from) query = query.where('f.created_at', '>=', localStart(filter.from, timeZone));
  if (filter.to) query = query.where('f.created_at', '<', localEnd(filter.to, timeZone));
  if (beforeId) query = query.where('f.id', '<', beforeId);
  return query.execute();
}

export function messagesOf(db: Db, tenantId: string, threadIds: string[]) {
  if (!threadIds.length) return Promise.resolve([]);
  return db
    .selectFrom('feedback_messages as fm')
    .leftJoin('staff as a', (j) => j.onRef('a.tenant_id', '=', 'fm.tenant_id').onRef('a.id', '=', 'fm.staff_id'))
    .leftJoin('outbox_messages as o', (j) => j.onRef('o.tenant_id', '=', 'fm.tenant_id').onRef('o.id', '=', 'fm.outbox_message_id'))
    .selectAll('fm')
    .select(['a.name as staff_name', 'o.status as delivery_status', 'o.channel as delivery_channel', 'o.last_error as delivery_error'])
    .where('fm.tenant_id', '=', tenantId)
    .where('fm.thread_id', 'in', threadIds)
    .orderBy('fm.id')
    .execute();
}

export type MessageRow = Awaited<ReturnType<typeof messagesOf>>[number];

/** The member's messages since the last staff reply (a member waits for an answer after a few). */
export async function memberMessagesSinceReply(db: Db, tenantId: string, threadId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from feedback_messages m
    where m.tenant_id = ${tenantId} and m.thread_id = ${threadId} and m.author_kind = 'member'
      and not exists (select 1 from feedback_messages s
                      where s.tenant_id = m.tenant_id and s.thread_id = m.thread_id and s.author_kind = 'staff' and s.id > m.id)`.execute(db);
  return rows[0]!.n;
}

export function findSale(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('transactions')
    .select(['id', 'member_id', 'store_id', 'status', 'occurred_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findStore(db: Db, tenantId: string, id: string) {
  return db.selectFrom('stores').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function findStaff(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select(['id', 'name', 'role', 'active']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Active staff who may work the inbox. */
export function inboxStaff(db: Db, tenantId: string) {
  return db
    .selectFrom('staff')
    .select(['id', 'name', 'role'])
    .where('tenant_id', '=', tenantId)
    .where('active', '=', true)
    .where('role', 'in', ['owner', 'admin', 'marketer'])
    .orderBy('name')
    .execute();
}

export function storesOf(db: Db, tenantId: string) {
  return db.selectFrom('stores').select(['id', 'name']).where('tenant_id', '=', tenantId).orderBy('name').limit(500).execute();
}

/** The member's posted sales since `since` that nobody rated yet, newest first. */
export function rateableSales(db: Db, tenantId: string, memberId: string, since: Date) {
  return db
    .selectFrom('transactions as t')
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.store_id'))
    .select(['t.id', 't.receipt_no', 't.store_id', 's.name as store_name', 't.occurred_at', 't.total'])
    .where('t.tenant_id', '=', tenantId)
    .where('t.member_id', '=', memberId)
    .where('t.status', '=', 'posted')
    .where('t.occurred_at', '>=', since)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('feedback_threads as f').select('f.id').whereRef('f.tenant_id', '=', 't.tenant_id').whereRef('f.transaction_id', '=', 't.id'))))
    .orderBy('t.occurred_at', 'desc')
    .limit(20)
    .execute();
}

export function memberContact(db: Db, tenantId: string, memberId: string) {
  return db.selectFrom('members').select(['id', 'phone', 'status']).where('tenant_id', '=', tenantId).where('id', '=', memberId).executeTakeFirstOrThrow();
}

export interface FigureFilter extends LocalPeriod {
  storeId?: string;
}

function figureWhere(tenantId: string, timeZone: string, filter: FigureFilter) {
  const parts = [sql`f.tenant_id = ${tenantId}`];
  if (filter.storeId) parts.push(sql`f.store_id = ${filter.storeId}`);
  if (filter.from) parts.push(sql`f.created_at >= ${localStart(filter.from, timeZone)}`);
  if (filter.to) parts.push(sql`f.created_at < ${localEnd(filter.to, timeZone)}`);
  return sql.join(parts, sql` and `);
}

export interface ResponseTimeRow {
  expecting: number;
  answered: number;
  median_seconds: number | null;
  average_seconds: number | null;
  waiting: number;
}

/**
 * Response times of the threads that expect an answer (complaints, suggestions, ratings with a
 * comment) created in the period: first staff reply − creation, median and average over the
 * answered ones, and how many are still waiting (no reply, not resolved).
 */
export async function responseTimes(db: Db, tenantId: string, timeZone: string, filter: FigureFilter): Promise<ResponseTimeRow> {
  const { rows } = await sql<ResponseTimeRow>`
    select count(*)::int as expecting,
           count(f.first_reply_at)::int as answered,
           round(percentile_cont(0.5) within group (order by extract(epoch from f.first_reply_at - f.created_at)::float8))::float8 as median_seconds,
           round(avg(extract(epoch from f.first_reply_at - f.created_at)))::float8 as average_seconds,
           (count(*) filter (where f.first_reply_at is null and f.status <> 'resolved'))::int as waiting
      from feedback_threads f
     where ${figureWhere(tenantId, timeZone, filter)}
       and (f.kind <> 'rating' or f.body is not null)`.execute(db);
  return rows[0];
}

export interface SatisfactionRow {
  by_store: boolean;
  by_month: boolean;
  store_id: string | null;
  store_name: string | null;
  month: string | null;
  count: number;
  average: number;
  share_4_5: number;
  r1: number;
  r2: number;
  r3: number;
  r4: number;
  r5: number;
}

/**
 * Ratings by store and month of the retailer's calendar, with the totals by month, by store and
 * overall (grouping sets): count, average (2 decimals), share of 4–5 (4 decimals), 1–5 counts.
 */
export async function satisfaction(db: Db, tenantId: string, timeZone: string, filter: FigureFilter): Promise<SatisfactionRow[]> {
  const { rows } = await sql<SatisfactionRow>`
    select grouping(r.store_id) = 0 as by_store,
           grouping(r.month) = 0 as by_month,
           r.store_id, max(s.name) as store_name, r.month,
           count(*)::int as count,
           coalesce(round(avg(r.rating), 2), 0)::float8 as average,
           coalesce(round((count(*) filter (where r.rating >= 4))::numeric / nullif(count(*), 0), 4), 0)::float8 as share_4_5,
           (count(*) filter (where r.rating = 1))::int as r1,
           (count(*) filter (where r.rating = 2))::int as r2,
           (count(*) filter (where r.rating = 3))::int as r3,
           (count(*) filter (where r.rating = 4))::int as r4,
           (count(*) filter (where r.rating = 5))::int as r5
      from (select f.store_id, f.rating, to_char(f.created_at at time zone ${timeZone}, 'YYYY-MM') as month
              from feedback_threads f
             where ${figureWhere(tenantId, timeZone, filter)} and f.kind = 'rating') r
      left join stores s on s.tenant_id = ${tenantId} and s.id = r.store_id
     group by grouping sets ((r.store_id, r.month), (r.month), (r.store_id), ())
     order by by_store, by_month, r.month nulls first, store_name nulls last, r.store_id`.execute(db);
  return rows;
}
