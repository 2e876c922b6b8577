import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export interface OpeningCredit {
  entry_id: string;
  lot_id: string;
  account_id: string;
  points: number;
  balance_after: number;
}

const creditRows = (credits: OpeningCredit[]) =>
  sql`jsonb_to_recordset(${JSON.stringify(credits)}::jsonb) as c (entry_id uuid, lot_id uuid, account_id uuid, points int8, balance_after int8)`;

/** The entries and their posted lots, in two statements whatever their number. */
export async function insertOpeningEntries(
  db: Db,
  tenantId: string,
  credits: OpeningCredit[],
  entry: { reference: string; note: string; actor_kind: string; actor_id: string | null; expires_at: Date | null },
) {
  if (credits.length === 0) return;
  await sql`
    insert into point_entries (tenant_id, id, account_id, kind, bucket, points, balance_after, reference, note, actor_kind, actor_id)
    select ${tenantId}, c.entry_id, c.account_id, 'opening', 'balance', c.points, c.balance_after, ${entry.reference}, ${entry.note}, ${entry.actor_kind}, ${entry.actor_id}
    from ${creditRows(credits)}`.execute(db);
  await sql`
    insert into point_lots (tenant_id, id, account_id, entry_id, status, points, remaining, expires_at)
    select ${tenantId}, c.lot_id, c.account_id, c.entry_id, 'posted', c.points, c.points, ${entry.expires_at}
    from ${creditRows(credits)}`.execute(db);
}

/** Adds the credits to accounts the caller has locked. */
export async function addToAccounts(db: Db, tenantId: string, credits: OpeningCredit[]) {
  if (credits.length === 0) return;
  await sql`
    update point_accounts a set balance = a.balance + t.points, lifetime_earned = a.lifetime_earned + t.points, updated_at = now()
    from (select c.account_id, sum(c.points) as points from ${creditRows(credits)} group by c.account_id) t
    where a.tenant_id = ${tenantId} and a.id = t.account_id`.execute(db);
}

/** New accounts with their opening balance already in them. */
export async function insertAccountsWithBalance(db: Db, tenantId: string, accounts: { id: string; member_id: string; balance: number }[]) {
  if (accounts.length === 0) return;
  await sql`
    insert into point_accounts (tenant_id, id, member_id, balance, lifetime_earned)
    select ${tenantId}, r.id, r.member_id, r.balance, r.balance
    from jsonb_to_recordset(${JSON.stringify(accounts)}::jsonb) as r (id uuid, member_id uuid, balance int8)`.execute(db);
}

/** The entry a one-by-one credit wrote, for the import key that claimed it. */
export async function linkOpeningEntry(db: Db, tenantId: string, importKey: string, accountId: string, reference: string) {
  await sql`
    update member_opening_balances set entry_id = (
      select id from point_entries where tenant_id = ${tenantId} and account_id = ${accountId} and kind = 'opening' and reference = ${reference}
      order by id desc limit 1)
    where tenant_id = ${tenantId} and import_key = ${importKey}`.execute(db);
}
