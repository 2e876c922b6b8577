import { sql } from 'kysely';
import type { EntryKind } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function insertAccount(db: Db, row: { tenant_id: string; id: string; member_id: string }) {
  await db.insertInto('point_accounts').values(row).execute();
}

/** Locks the member's account row for the rest of the transaction. */
export function lockAccountOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('point_accounts')
    .select(['id', 'balance', 'pending', 'debt'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
}

export function findAccountOfMember(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('point_accounts')
    .select(['id', 'balance', 'pending', 'debt'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

/** A guarded single-statement change of the balance; CHECK (balance >= 0) is the last line of defence. */
export async function addToBalance(db: Db, tenantId: string, accountId: string, delta: number) {
  return db
    .updateTable('point_accounts')
    .set((eb) => ({
      balance: eb('balance', '+', delta),
      lifetime_earned: delta > 0 ? eb('lifetime_earned', '+', delta) : eb.ref('lifetime_earned'),
      lifetime_redeemed: delta < 0 ? eb('lifetime_redeemed', '-', delta) : eb.ref('lifetime_redeemed'),
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
  created_at?: Date;
}

export async function insertEntry(db: Db, entry: NewEntry) {
  await db.insertInto('point_entries').values(entry).execute();
}

export async function insertLot(db: Db, lot: { tenant_id: string; id: string; account_id: string; entry_id: string; points: number; expires_at: Date | null; created_at?: Date }) {
  await db.insertInto('point_lots').values({ ...lot, remaining: lot.points }).execute();
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

export function listEntries(db: Db, tenantId: string, accountId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('point_entries')
    .select(['id', 'kind', 'points', 'balance_after', 'created_at', 'reference', 'note', 'transaction_id'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('id', '<', beforeId);
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
    .where('expires_at', 'is not', null)
    .groupBy('expires_at')
    .orderBy('expires_at')
    .limit(5)
    .execute();
}
