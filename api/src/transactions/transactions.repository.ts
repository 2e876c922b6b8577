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
  points_redeemed: number; shipping_fee: number; shipping_discount: number; actor_kind: string; actor_id: string | null;
};

/** Inserts the sale unless its receipt number is taken (then waits for, and yields to, the first): the row, or undefined. */
export function insertUnlessDuplicate(db: Db, row: NewTransaction) {
  return db.insertInto('transactions').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

export type NewLine = {
  tenant_id: string; id: string; transaction_id: string; line_no: number; sku: string; name: string | null; category: string | null;
  quantity: number; unit_price: number; amount: number; points: number;
};


/** The inserted lines, in line order. */
export async function insertLines(db: Db, lines: NewLine[]) {
  if (!lines.length) return [];
  const rows = await db.insertInto('transaction_lines').values(lines).returningAll().execute();
  return rows.sort((a, b) => a.line_no - b.line_no);
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

export function lockTransaction(db: Db, tenantId: string, id: string) {
  return db.selectFrom('transactions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Counts refunded units, never past the quantity sold; false when another refund got there first. */
export async function addRefundedQuantity(db: Db, tenantId: string, lineId: string, quantity: number): Promise<boolean> {
  const result = await db
    .updateTable('transaction_lines')
    .set((eb) => ({ refunded_quantity: eb('refunded_quantity', '+', quantity) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', lineId)
    .where(sql<boolean>`refunded_quantity + ${quantity} <= quantity`)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function recordRefund(db: Db, tenantId: string, id: string, delta: { amount: number; reversed: number; forgiven: number; returned: number }) {
  await db
    .updateTable('transactions')
    .set((eb) => ({
      refunded_amount: eb('refunded_amount', '+', delta.amount),
      points_reversed: eb('points_reversed', '+', delta.reversed),
      points_forgiven: eb('points_forgiven', '+', delta.forgiven),
      points_returned: eb('points_returned', '+', delta.returned),
    }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function markVoided(db: Db, tenantId: string, id: string) {
  await db.updateTable('transactions').set({ status: 'voided', voided_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Attaches a guest sale to a member, once: false when it has a member already. */
export async function claimForMember(db: Db, tenantId: string, id: string, memberId: string, pointsEarned: number): Promise<boolean> {
  const result = await db
    .updateTable('transactions')
    .set({ member_id: memberId, claimed_at: sql`now()`, points_earned: pointsEarned })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('member_id', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setLinePoints(db: Db, tenantId: string, lineId: string, points: number) {
  await db.updateTable('transaction_lines').set({ points }).where('tenant_id', '=', tenantId).where('id', '=', lineId).execute();
}

export async function insertRefund(
  db: Db,
  refund: { tenant_id: string; id: string; transaction_id: string; amount: number; points_reversed: number; points_returned: number; debt_added: number; actor_kind: string; actor_id: string | null },
  lines: { line_id: string; quantity: number; amount: number; points: number }[],
) {
  await db.insertInto('refunds').values(refund).execute();
  await db.insertInto('refund_lines').values(lines.map((line) => ({ tenant_id: refund.tenant_id, refund_id: refund.id, ...line }))).execute();
}
