import { sql } from 'kysely';
import type { Db } from '../deps.ts';

const NO_STORE = '00000000-0000-0000-0000-000000000000';

export function findByReceipt(db: Db, tenantId: string, storeId: string | null, receiptNo: string) {
  return db
    .selectFrom('transactions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(sql`coalesce(store_id, ${NO_STORE}::uuid)`, '=', storeId ?? NO_STORE)
    .where('receipt_no', '=', receiptNo)
    .executeTakeFirst();
}

export type NewTransaction = {
  tenant_id: string; id: string; member_id: string | null; store_id: string | null; receipt_no: string; channel: 'store' | 'online';
  occurred_at: Date; subtotal: number; discount: number; points_value: number; total: number; points_earned: number;
  points_redeemed: number; actor_kind: string; actor_id: string | null;
};

/** Inserts the sale unless its receipt number is taken (then waits for, and yields to, the first). */
export async function insertUnlessDuplicate(db: Db, row: NewTransaction): Promise<boolean> {
  const inserted = await db.insertInto('transactions').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return Boolean(inserted);
}

export type NewLine = {
  tenant_id: string; id: string; transaction_id: string; line_no: number; sku: string; name: string | null; category: string | null;
  quantity: number; unit_price: number; amount: number; points: number;
};

export async function insertLines(db: Db, lines: NewLine[]) {
  if (lines.length) await db.insertInto('transaction_lines').values(lines).execute();
}

export function findTransaction(db: Db, tenantId: string, id: string) {
  return db.selectFrom('transactions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function linesOf(db: Db, tenantId: string, transactionIds: string[]) {
  if (!transactionIds.length) return Promise.resolve([]);
  return db
    .selectFrom('transaction_lines')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('transaction_id', 'in', transactionIds)
    .orderBy('line_no')
    .execute();
}

export function listTransactions(db: Db, tenantId: string, filter: { storeId?: string; receiptNo?: string; memberId?: string }, limit: number, beforeId?: string) {
  let query = db.selectFrom('transactions').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (filter.storeId) query = query.where('store_id', '=', filter.storeId);
  if (filter.receiptNo) query = query.where('receipt_no', '=', filter.receiptNo);
  if (filter.memberId) query = query.where('member_id', '=', filter.memberId);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}
