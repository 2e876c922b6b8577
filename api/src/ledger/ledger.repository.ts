import { sql } from 'kysely';
import type { EntryKind } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function insertAccount(db: Db, row: { tenant_id: string; id: string; member_id: string }) {
  await db.insertInto('point_accounts').values(row).execute();
}

/**
 * Locks the member's account row for the rest of the transaction, and reads whether the member was
 * merged away. The member row is share-locked too: a row only joined would be read as it was when
 * the statement began, before a merge that this lock waited for.
 */
export async function lockAccountOfMember(db: Db, tenantId: string, memberId: string) {
  const { rows } = await sql<{ id: string; balance: number; pending: number; debt: number; merged_into: string | null }>`
    select a.id, a.balance, a.pending, a.debt, m.merged_into
    from point_accounts a join members m on m.tenant_id = a.tenant_id and m.id = a.member_id
    where a.tenant_id = ${tenantId} and a.member_id = ${memberId}
    for no key update of a for share of m`.execute(db);
  return rows[0];
}

/** Locks several members' accounts in ascending account id, the order every writer of two or more uses. */
export function lockAccountsOfMembers(db: Db, tenantId: string, memberIds: string[]) {
  return db
    .selectFrom('point_accounts')
    .select(['id', 'member_id', 'balance', 'pending', 'debt'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', 'in', memberIds)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export function findAccountOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('point_accounts')
    .select(['id', 'balance', 'pending', 'debt'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

/** The member's balance less posted points past their date that the expiry job has not taken yet. */
export async function spendableOfMember(db: Db, tenantId: string, memberId: string, now: Date): Promise<number | undefined> {
  const row = await db
    .selectFrom('point_accounts as a')
    .select(sql<number>`a.balance - coalesce((
      select sum(l.remaining) from point_lots l
      where l.tenant_id = a.tenant_id and l.account_id = a.id and l.status = 'posted' and l.remaining > 0 and l.expires_at <= ${now}
    ), 0)`.as('spendable'))
    .where('a.tenant_id', '=', tenantId)
    .where('a.member_id', '=', memberId)
    .executeTakeFirst();
  return row && Number(row.spendable);
}

export interface AccountDelta {
  balance?: number;
  pending?: number;
  debt?: number;
  /** Counts towards lifetime earned (credits) or redeemed (spends). */
  earned?: number;
  redeemed?: number;
}

export function findAccountOfMemberById(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('point_accounts')
    .select(['balance', 'pending', 'debt'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
}

/** A guarded single-statement change of the balances; the CHECKs (>= 0) are the last line of defence. */
export async function changeAccount(db: Db, tenantId: string, accountId: string, delta: AccountDelta) {
  return db
    .updateTable('point_accounts')
    .set((eb) => ({
      balance: eb('balance', '+', delta.balance ?? 0),
      pending: eb('pending', '+', delta.pending ?? 0),
      debt: eb('debt', '+', delta.debt ?? 0),
      lifetime_earned: eb('lifetime_earned', '+', delta.earned ?? 0),
      lifetime_redeemed: eb('lifetime_redeemed', '+', delta.redeemed ?? 0),
      updated_at: sql`now()`,
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .returning(['balance', 'pending', 'debt'])
    .executeTakeFirstOrThrow();
}

export interface NewEntry {
  tenant_id: string;
  id: string;
  account_id: string;
  kind: EntryKind;
  points: number;
  balance_after: number;
  transaction_id: string | null;
  reference: string | null;
  note: string | null;
  actor_kind: string;
  actor_id: string | null;
  bucket?: 'balance' | 'pending' | 'debt';
  created_at?: Date;
}

export async function insertEntry(db: Db, entry: NewEntry) {
  await db.insertInto('point_entries').values(entry).execute();
}

export interface NewLot {
  tenant_id: string;
  id: string;
  account_id: string;
  entry_id: string;
  points: number;
  expires_at: Date | null;
  transaction_id: string | null;
  status: 'posted' | 'pending';
  available_at: Date | null;
  created_at?: Date;
}

export async function insertLot(db: Db, lot: NewLot) {
  await db.insertInto('point_lots').values({ ...lot, remaining: lot.points }).execute();
}

/** Takes points off one lot (repaying debt from fresh points). */
export async function takeFromLot(db: Db, tenantId: string, lotId: string, points: number) {
  await db
    .updateTable('point_lots')
    .set((eb) => ({ remaining: eb('remaining', '-', points) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', lotId)
    .execute();
}

/**
 * Reverses up to `points` from a sale's own lots, pending before posted, soonest-expiring first;
 * returns how much came from each status.
 */
export async function reverseSaleLots(db: Db, tenantId: string, accountId: string, transactionId: string, points: number) {
  const result = await sql<{ status: 'posted' | 'pending'; taken: number }>`
    with ordered as (
      select id, status, remaining,
             sum(remaining) over (order by (status = 'pending') desc, expires_at asc nulls last, id) - remaining as before
      from point_lots
      where tenant_id = ${tenantId} and account_id = ${accountId} and transaction_id = ${transactionId} and remaining > 0
    ), take as (
      select id, status, least(remaining, ${points}::int8 - before) as amount from ordered where before < ${points}::int8
    )
    update point_lots l set remaining = l.remaining - take.amount, reversed = l.reversed + take.amount
    from take where l.tenant_id = ${tenantId} and l.id = take.id
    returning take.status, take.amount as taken`.execute(db);
  const sum = (status: string) => result.rows.filter((r) => r.status === status).reduce((s, r) => s + Number(r.taken), 0);
  return { pending: sum('pending'), posted: sum('posted') };
}

/** Points of a sale that expired before any refund, less those already set off. */
export async function expiredOfSale(db: Db, tenantId: string, transactionId: string): Promise<number> {
  const row = await db
    .selectFrom('point_lots')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('expired'), sql<number>`0`).as('expired'))
    .where('tenant_id', '=', tenantId)
    .where('transaction_id', '=', transactionId)
    .executeTakeFirstOrThrow();
  return Number(row.expired);
}

/**
 * Takes `points` from the account's posted lots, oldest-expiring first (never-expiring last), in one
 * set-based statement. The caller holds the account lock, so the lots cannot change underneath.
 */
export async function consumeLots(db: Db, tenantId: string, accountId: string, points: number): Promise<number> {
  const result = await sql<{ taken: number }>`
    with ordered as (
      select id, remaining,
             sum(remaining) over (order by expires_at asc nulls last, id) - remaining as before
      from point_lots
      where tenant_id = ${tenantId} and account_id = ${accountId} and status = 'posted' and remaining > 0
    ), take as (
      select id, least(remaining, ${points}::int8 - before) as amount from ordered where before < ${points}::int8
    )
    update point_lots l set remaining = l.remaining - take.amount
    from take where l.tenant_id = ${tenantId} and l.id = take.id
    returning take.amount as taken`.execute(db);
  return result.rows.reduce((sum, row) => sum + Number(row.taken), 0);
}

/** An account's entries, newest first, with the sale each belongs to (its store, channel, status) to say why. */
export function listEntries(db: Db, tenantId: string, accountId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('point_entries as e')
    .leftJoin('transactions as t', (j) => j.onRef('t.tenant_id', '=', 'e.tenant_id').onRef('t.id', '=', 'e.transaction_id'))
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.store_id'))
    .select(['e.id', 'e.kind', 'e.bucket', 'e.points', 'e.balance_after', 'e.created_at', 'e.reference', 'e.note', 'e.transaction_id'])
    .select(['s.name as store_name', 't.channel as sale_channel', 't.status as sale_status'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.account_id', '=', accountId)
    .orderBy('e.id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('e.id', '<', beforeId);
  return query.execute();
}

export function listExpiring(db: Db, tenantId: string, accountId: string) {
  return db
    .selectFrom('point_lots')
    .select((eb) => [eb.fn.sum<number>('remaining').as('points'), 'expires_at'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('status', '=', 'posted')
    .where('remaining', '>', 0)
    .where('expires_at', '>', sql<Date>`now()`)
    .groupBy('expires_at')
    .orderBy('expires_at')
    .limit(5)
    .execute();
}

/** The account's lots with something left, pending first, then by expiry. */
export function listOpenLots(db: Db, tenantId: string, accountId: string, limit: number) {
  return db
    .selectFrom('point_lots')
    .select(['id', 'status', 'points', 'remaining', 'expired', 'reversed', 'expires_at', 'available_at', 'created_at', 'transaction_id'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('remaining', '>', 0)
    .orderBy(sql`status = 'pending'`, 'desc')
    .orderBy(sql`expires_at asc nulls last`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Moves an account's live lots (posted and pending) to another account of the same tenant. */
export async function moveLiveLots(db: Db, tenantId: string, fromAccount: string, toAccount: string) {
  await db.updateTable('point_lots').set({ account_id: toAccount }).where('tenant_id', '=', tenantId).where('account_id', '=', fromAccount).where('remaining', '>', 0).execute();
}

/** Empties every live lot of the account (posted and pending): a forfeit, under the account lock. */
export async function emptyLots(db: Db, tenantId: string, accountId: string) {
  await db.updateTable('point_lots').set({ remaining: 0 }).where('tenant_id', '=', tenantId).where('account_id', '=', accountId).where('remaining', '>', 0).execute();
}
