import { sql, type Insertable, type Updateable } from 'kysely';
import type { AutomationTable, AutomationTriggerKind } from '@kartu/db';
import type { Db } from '../deps.ts';
import { segmentFilter } from '../segments/segment-filter.ts';
import type { SegmentRules } from '../segments/segment-rules.ts';

export type AutomationStatus = 'active' | 'paused' | 'archived';

export async function insertAutomation(db: Db, row: Insertable<AutomationTable>) {
  await db.insertInto('automations').values(row).execute();
}

export async function updateAutomation(db: Db, tenantId: string, id: string, patch: Updateable<AutomationTable>) {
  await db.updateTable('automations').set({ ...patch, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export function findAutomation(db: Db, tenantId: string, id: string) {
  return db.selectFrom('automations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type AutomationRow = NonNullable<Awaited<ReturnType<typeof findAutomation>>>;

export function lockAutomation(db: Db, tenantId: string, id: string) {
  return db.selectFrom('automations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listAutomations(db: Db, tenantId: string, filter: { status?: AutomationStatus }, limit: number, beforeId?: string) {
  let query = db.selectFrom('automations').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  query = filter.status ? query.where('status', '=', filter.status) : query.where('status', '<>', 'archived');
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

/** Active automations of these trigger kinds: of one tenant, or of every tenant (the scheduled job). */
export function activeAutomations(db: Db, kinds: AutomationTriggerKind[], tenantId?: string) {
  let query = db.selectFrom('automations').selectAll().where('status', '=', 'active').where('trigger_kind', 'in', kinds).orderBy('tenant_id').orderBy('id');
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  return query.execute();
}

export async function settingsOf(db: Db, tenantId: string) {
  return db.selectFrom('tenants').select(['automation_message_cap', 'automation_cap_days']).where('id', '=', tenantId).executeTakeFirstOrThrow();
}

export async function saveSettings(db: Db, tenantId: string, values: { automation_message_cap?: number; automation_cap_days?: number }) {
  // An empty patch would be `update tenants set where …`, a syntax error.
  if (Object.values(values).every((value) => value === undefined)) return;
  await db.updateTable('tenants').set(values).where('id', '=', tenantId).execute();
}

// --- runs: the idempotency key and the results ---------------------------------------------------

/** Claims (automation, member, occasion); false when it was claimed before (waits for a claim in flight). */
export async function claimRun(db: Db, row: { tenant_id: string; id: string; automation_id: string; member_id: string; occasion: string }) {
  const inserted = await db.insertInto('automation_runs').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return Boolean(inserted);
}

export async function recordRun(db: Db, tenantId: string, id: string, values: Updateable<import('@kartu/db').AutomationRunTable>) {
  await db.updateTable('automation_runs').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Automated messages queued to the member since `since` (the frequency cap, across automations). */
export async function messagesQueuedSince(db: Db, tenantId: string, memberId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('automation_runs')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('message_status', '=', 'queued')
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function memberForRun(db: Db, tenantId: string, memberId: string) {
  return db.selectFrom('members').select(['id', 'status', 'marketing_opt_in']).where('tenant_id', '=', tenantId).where('id', '=', memberId).executeTakeFirst();
}

// --- events ------------------------------------------------------------------------------------

/** The oldest unprocessed event that is due and nobody else is working, locked for this transaction. */
export function nextEvent(db: Db) {
  return db
    .selectFrom('automation_events')
    .selectAll()
    .where('processed_at', 'is', null)
    .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<Date>`now()`)]))
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export type EventRow = NonNullable<Awaited<ReturnType<typeof nextEvent>>>;

export async function markEvent(db: Db, id: number) {
  await db.updateTable('automation_events').set({ processed_at: sql`now()`, error: null }).where('id', '=', id).execute();
}

/** A failed attempt: tried again after `retryInSeconds`, or given up (processed with its error) when null. */
export async function failEvent(db: Db, id: number, error: string, retryInSeconds: number | null) {
  await db
    .updateTable('automation_events')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      error,
      next_attempt_at: retryInSeconds === null ? null : sql<Date>`now() + make_interval(secs => ${retryInSeconds})`,
      ...(retryInSeconds === null ? { processed_at: sql<Date>`now()` } : {}),
    }))
    .where('id', '=', id)
    // Another worker may have taken the event and worked it off since this one rolled back.
    .where('processed_at', 'is', null)
    .execute();
}

/** Events given up after their last attempt, and events waiting to be tried again, per tenant. */
export async function eventFailures(db: Db, tenantId: string) {
  const row = await db
    .selectFrom('automation_events')
    .select([
      sql<number>`(count(*) filter (where processed_at is not null and error is not null))::int`.as('failed'),
      sql<number>`(count(*) filter (where processed_at is null and attempts > 0))::int`.as('retrying'),
      sql<string | null>`(array_agg(error order by id desc) filter (where error is not null))[1]`.as('last_error'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('error', 'is not', null)
    .executeTakeFirstOrThrow();
  return row;
}

/** Whether the sale is the member's first posted one (none posted before it). */
export async function isFirstPurchase(db: Db, tenantId: string, memberId: string, transactionId: string) {
  const { rows } = await sql<{ first: boolean }>`
    select (s.status = 'posted' and not exists (
      select 1 from transactions o
      where o.tenant_id = s.tenant_id and o.member_id = ${memberId} and o.status = 'posted' and o.id <> s.id
        and (o.occurred_at < s.occurred_at or (o.occurred_at = s.occurred_at and o.id < s.id)))) as first
    from transactions s where s.tenant_id = ${tenantId} and s.id = ${transactionId} and s.member_id = ${memberId}`.execute(db);
  return rows[0]?.first === true;
}

/** The categories bought in a posted sale (lines not wholly refunded). */
export async function saleCategories(db: Db, tenantId: string, transactionId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('transaction_lines as l')
    .innerJoin('transactions as t', (j) => j.onRef('t.tenant_id', '=', 'l.tenant_id').onRef('t.id', '=', 'l.transaction_id'))
    .select('l.category')
    .distinct()
    .where('l.tenant_id', '=', tenantId)
    .where('l.transaction_id', '=', transactionId)
    .where('t.status', '=', 'posted')
    .where('l.category', 'is not', null)
    .whereRef('l.refunded_quantity', '<', 'l.quantity')
    .execute();
  return new Set(rows.map((r) => r.category!));
}

export function tiersById(db: Db, tenantId: string, ids: string[]) {
  return db.selectFrom('tiers').select(['id', 'code', 'rank']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

// --- scheduled triggers: who is due, set-based ----------------------------------------------------

export interface Due {
  member_id: string;
  occasion: string;
}

const notRunYet = (automationId: string) => sql`not exists (
  select 1 from automation_runs r
  where r.tenant_id = d.tenant_id and r.automation_id = ${automationId} and r.member_id = d.member_id and r.occasion = d.occasion)`;

/** Days back a birthday is still celebrated when no job ran on the day itself (servers down, a long outage). */
export const BIRTHDAY_CATCH_UP_DAYS = 7;

/**
 * Members whose birthday is today in the tenant's time zone, or was on one of the days before
 * within the catch-up window and was missed (29 February counts on 28 February in a year without
 * one); the occasion is the local year of that birthday. A birthday before the member joined or
 * before the automation existed is not owed.
 */
export async function dueBirthdays(db: Db, tenantId: string, automationId: string, at: Date, limit: number): Promise<Due[]> {
  const { rows } = await sql<Due>`
    with days as (
      select day::date as d, to_char(day, 'MM-DD') as mmdd, t.time_zone,
             extract(day from make_date(extract(year from day)::int, 3, 1) - 1) = 28 as no_leap_day
      from tenants t,
           generate_series((${at}::timestamptz at time zone t.time_zone)::date - ${BIRTHDAY_CATCH_UP_DAYS - 1}::int,
                           (${at}::timestamptz at time zone t.time_zone)::date, interval '1 day') as day
      where t.id = ${tenantId}
    ), d as (
      select distinct on (m.id) m.tenant_id, m.id as member_id, extract(year from days.d)::int::text as occasion
      from days
      join automations a on a.tenant_id = ${tenantId} and a.id = ${automationId}
      join members m on m.tenant_id = ${tenantId} and m.status = 'active' and m.birth_date is not null
        and (to_char(m.birth_date, 'MM-DD') = days.mmdd or (to_char(m.birth_date, 'MM-DD') = '02-29' and days.mmdd = '02-28' and days.no_leap_day))
      where days.d >= (m.created_at at time zone days.time_zone)::date and days.d >= (a.created_at at time zone days.time_zone)::date
      order by m.id, days.d desc
    )
    select d.member_id, d.occasion from d where ${notRunYet(automationId)} order by d.member_id limit ${limit}`.execute(db);
  return rows;
}

/** Members without a purchase (or, never bought, since joining) for `days`; once per quiet spell. */
export async function dueInactive(db: Db, tenantId: string, automationId: string, days: number, at: Date, limit: number): Promise<Due[]> {
  const { rows } = await sql<Due>`
    with d as (
      select m.tenant_id, m.id as member_id,
             'since:' || to_char(coalesce(m.last_purchase_at, m.created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as occasion
      from members m
      where m.tenant_id = ${tenantId} and m.status = 'active'
        and coalesce(m.last_purchase_at, m.created_at) <= ${at}::timestamptz - make_interval(days => ${days})
    )
    select d.member_id, d.occasion from d where ${notRunYet(automationId)} order by d.member_id limit ${limit}`.execute(db);
  return rows;
}

/** Members with posted points expiring within `days`; once per (local) date of the soonest expiry. */
export async function dueExpiring(db: Db, tenantId: string, automationId: string, days: number, at: Date, limit: number): Promise<Due[]> {
  const { rows } = await sql<Due>`
    with d as (
      select a.tenant_id, a.member_id, 'expiry:' || to_char(min(l.expires_at) at time zone min(t.time_zone), 'YYYY-MM-DD') as occasion
      from point_lots l
      join point_accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
      join members m on m.tenant_id = a.tenant_id and m.id = a.member_id and m.status = 'active'
      join tenants t on t.id = l.tenant_id
      where l.tenant_id = ${tenantId} and l.status = 'posted' and l.remaining > 0
        and l.expires_at > ${at} and l.expires_at <= ${at}::timestamptz + make_interval(days => ${days})
      group by a.tenant_id, a.member_id
    )
    select d.member_id, d.occasion from d where ${notRunYet(automationId)} order by d.member_id limit ${limit}`.execute(db);
  return rows;
}

/** The first look at a segment: its members now are the baseline, not entries. */
export async function baselineSegment(db: Db, tenantId: string, automationId: string, rules: SegmentRules, at: Date) {
  await sql`
    insert into automation_segment_members (tenant_id, automation_id, member_id)
    select m.tenant_id, ${automationId}, m.id from members m
    where m.tenant_id = ${tenantId} and ${segmentFilter(rules, { tenantId, now: at })}
    on conflict do nothing`.execute(db);
  await db.updateTable('automations').set({ segment_seen_at: at }).where('tenant_id', '=', tenantId).where('id', '=', automationId).execute();
}

/** Members who left the segment are forgotten, so that coming back is an entry again. */
export async function forgetLeavers(db: Db, tenantId: string, automationId: string, rules: SegmentRules, at: Date) {
  await sql`
    delete from automation_segment_members s
    where s.tenant_id = ${tenantId} and s.automation_id = ${automationId}
      and not exists (select 1 from members m where m.tenant_id = s.tenant_id and m.id = s.member_id and ${segmentFilter(rules, { tenantId, now: at })})`.execute(db);
  await db.updateTable('automations').set({ segment_seen_at: at }).where('tenant_id', '=', tenantId).where('id', '=', automationId).execute();
}

/** Members in the segment now and not when last seen; the occasion is the local day of entry. */
export async function dueSegmentEntries(db: Db, tenantId: string, automationId: string, rules: SegmentRules, at: Date, limit: number): Promise<Due[]> {
  const { rows } = await sql<Due>`
    with d as (
      select m.tenant_id, m.id as member_id,
             'entered:' || to_char(${at}::timestamptz at time zone (select time_zone from tenants where id = ${tenantId}), 'YYYY-MM-DD') as occasion
      from members m
      where m.tenant_id = ${tenantId} and m.status = 'active' and ${segmentFilter(rules, { tenantId, now: at })}
        and not exists (select 1 from automation_segment_members s where s.tenant_id = m.tenant_id and s.automation_id = ${automationId} and s.member_id = m.id)
    )
    select d.member_id, d.occasion from d where ${notRunYet(automationId)} order by d.member_id limit ${limit}`.execute(db);
  return rows;
}

export async function rememberSegmentMember(db: Db, tenantId: string, automationId: string, memberId: string) {
  await db.insertInto('automation_segment_members').values({ tenant_id: tenantId, automation_id: automationId, member_id: memberId }).onConflict((oc) => oc.doNothing()).execute();
}

// --- results --------------------------------------------------------------------------------------

export interface ResultWindow {
  from?: Date;
  to?: Date;
}

const inWindow = (window: ResultWindow) => sql.join([
  sql`true`,
  ...(window.from ? [sql`r.created_at >= ${window.from}`] : []),
  ...(window.to ? [sql`r.created_at <= ${window.to}`] : []),
], sql` and `);

export interface TotalsRow {
  automation_id: string;
  runs: number;
  reached: number;
  points: number;
  vouchers_issued: number;
  vouchers_redeemed: number;
  messages_queued: number;
  messages_sent: number;
  messages_skipped: number;
}

/** Per automation: runs, members reached, points, vouchers issued and used, messages queued, sent and skipped. */
export async function automationTotals(db: Db, tenantId: string, ids: string[], window: ResultWindow = {}): Promise<TotalsRow[]> {
  if (!ids.length) return [];
  const { rows } = await sql<TotalsRow>`
    select r.automation_id, count(*)::int as runs, count(distinct r.member_id)::int as reached, coalesce(sum(r.points), 0)::int8 as points,
           count(r.voucher_id)::int as vouchers_issued, (count(*) filter (where v.uses > 0))::int as vouchers_redeemed,
           (count(*) filter (where r.message_status = 'queued'))::int as messages_queued,
           (count(*) filter (where o.status = 'sent'))::int as messages_sent,
           (count(*) filter (where r.message_status = 'skipped'))::int as messages_skipped
    from automation_runs r
    left join vouchers v on v.tenant_id = r.tenant_id and v.id = r.voucher_id
    left join outbox_messages o on o.tenant_id = r.tenant_id and o.id = r.message_id
    where r.tenant_id = ${tenantId} and r.automation_id in (${sql.join(ids)}) and ${inWindow(window)}
    group by r.automation_id`.execute(db);
  return rows;
}

export async function skippedByReason(db: Db, tenantId: string, id: string, window: ResultWindow) {
  const { rows } = await sql<{ reason: string; count: number }>`
    select coalesce(r.message_reason, 'unknown') as reason, count(*)::int as count from automation_runs r
    where r.tenant_id = ${tenantId} and r.automation_id = ${id} and r.message_status = 'skipped' and ${inWindow(window)}
    group by 1 order by 2 desc, 1`.execute(db);
  return rows.map((r) => ({ reason: r.reason, count: Number(r.count) }));
}

export async function automationDaily(db: Db, tenantId: string, id: string, window: ResultWindow, timeZone: string) {
  const { rows } = await sql<{ day: string; reached: number; points: number }>`
    select to_char(r.created_at at time zone ${timeZone}, 'YYYY-MM-DD') as day, count(distinct r.member_id)::int as reached, coalesce(sum(r.points), 0)::int8 as points
    from automation_runs r
    where r.tenant_id = ${tenantId} and r.automation_id = ${id} and ${inWindow(window)}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ day: r.day, reached: Number(r.reached), points: Number(r.points) }));
}

export async function tierCodeExists(db: Db, tenantId: string, code: string) {
  return Boolean(await db.selectFrom('tiers').select('id').where('tenant_id', '=', tenantId).where('code', '=', code).executeTakeFirst());
}
