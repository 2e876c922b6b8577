import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import { toEnginePromotion } from './promotions.mapper.ts';

export type PromotionStatus = 'active' | 'paused' | 'archived';

const columns = [
  'id', 'name', 'status', 'starts_at', 'ends_at', 'priority', 'exclusivity_group', 'conditions', 'effect', 'created_at', 'updated_at',
] as const;

/** Newest first; `limit + 1` rows after the cursor (see shared/page.ts). */
export function listPromotions(db: Db, tenantId: string, filter: { status?: PromotionStatus }, limit: number, beforeId?: string) {
  let query = db.selectFrom('promotions').select(columns).where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

export function findPromotion(db: Db, tenantId: string, id: string) {
  return db.selectFrom('promotions').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type PromotionRow = NonNullable<Awaited<ReturnType<typeof findPromotion>>>;

/** Active promotions whose window (both ends inclusive) contains `at`, ready for the checkout engine. */
export async function livePromotions(db: Db, tenantId: string, at: Date) {
  const rows = await db
    .selectFrom('promotions')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('starts_at', '<=', at)
    .where('ends_at', '>=', at)
    .orderBy('priority', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toEnginePromotion);
}

export interface PromotionValues {
  name: string;
  starts_at: string;
  ends_at: string;
  priority: number;
  exclusivity_group: string | null;
  conditions: unknown;
  effect: unknown;
}

export async function insertPromotion(db: Db, row: PromotionValues & { tenant_id: string; id: string }) {
  await db
    .insertInto('promotions')
    .values({ ...row, conditions: JSON.stringify(row.conditions), effect: JSON.stringify(row.effect) })
    .execute();
}

export async function updatePromotion(db: Db, tenantId: string, id: string, values: PromotionValues) {
  await db
    .updateTable('promotions')
    .set({ ...values, conditions: JSON.stringify(values.conditions), effect: JSON.stringify(values.effect), updated_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function setPromotionStatus(db: Db, tenantId: string, id: string, status: PromotionStatus) {
  await db
    .updateTable('promotions')
    .set({ status, updated_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Locks the row for a read-modify-write of a status or a patch. */
export function lockPromotion(db: Db, tenantId: string, id: string) {
  return db.selectFrom('promotions').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Which of these tier codes the tenant has. */
export async function existingTierCodes(db: Db, tenantId: string, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db.selectFrom('tiers').select('code').where('tenant_id', '=', tenantId).where('code', 'in', codes).execute();
  return new Set(rows.map((row) => row.code));
}

/** Which of these store ids the tenant has. */
export async function existingStoreIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}
