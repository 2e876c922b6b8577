import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// The SQL of reward vouchers (reward-vouchers.ts): the reward's batch, its personal codes, and voiding one.

export interface RewardBatchTerms {
  kind: 'amount' | 'percent' | 'free_shipping' | 'free_item';
  value: number | null;
  max_discount: number | null;
  sku: string | null;
  min_spend: number;
}

/** The reward's (or offer's) newest active batch with exactly these terms. */
export async function findSourceBatch(db: Db, tenantId: string, source: { origin: 'reward' | 'offer' | 'automation'; id: string }, terms: RewardBatchTerms) {
  const row = await db
    .selectFrom('voucher_batches')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(source.origin === 'reward' ? 'reward_id' : source.origin === 'offer' ? 'offer_id' : 'automation_id', '=', source.id)
    .where('origin', '=', source.origin)
    .where('status', '=', 'active')
    .where('kind', '=', terms.kind)
    .where('value', 'is not distinct from', terms.value)
    .where('max_discount', 'is not distinct from', terms.max_discount)
    .where('sku', 'is not distinct from', terms.sku)
    .where('min_spend', '=', terms.min_spend)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function addToCount(db: Db, tenantId: string, batchId: string) {
  await db
    .updateTable('voucher_batches')
    .set((eb) => ({ count: eb('count', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', batchId)
    .execute();
}

/** Inserts one single-use code bound to the member; false when the tenant already has the code. */
export async function insertPersonalCode(
  db: Db,
  row: { tenant_id: string; id: string; batch_id: string; code: string; member_id: string; expires_at: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('vouchers')
    .values({ ...row, max_uses: 1 })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .returning('id')
    .execute();
  return inserted.length > 0;
}

/** Voids the voucher: unusable from now on, whatever date a sale that uses it carries. */
export async function voidVoucher(db: Db, tenantId: string, voucherId: string) {
  await db
    .updateTable('vouchers')
    .set({ voided_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', voucherId)
    .where('voided_at', 'is', null)
    .execute();
}
