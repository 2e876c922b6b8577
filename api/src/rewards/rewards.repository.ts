import { sql, type Insertable, type Updateable } from 'kysely';
import type { RewardTable } from '@kartu/db';
import type { Db } from '../deps.ts';

// ---- the catalog

export type RewardStatus = 'active' | 'archived';
export type RewardImageType = 'image/png' | 'image/jpeg' | 'image/webp';

const rewardColumns = [
  'r.id', 'r.name', 'r.description', 'r.points_cost', 'r.stock', 'r.per_member_limit', 'r.tiers', 'r.starts_at', 'r.ends_at',
  'r.fulfilment', 'r.voucher', 'r.image_type', 'r.image_updated_at', 'r.status', 'r.created_at', 'r.updated_at', 't.slug',
] as const;

/** Rewards with their tenant's slug (for image URLs) and how many redemptions stand (not cancelled). */
function rewardsOf(db: Db, tenantId: string) {
  return db
    .selectFrom('rewards as r')
    .innerJoin('tenants as t', 't.id', 'r.tenant_id')
    .select(rewardColumns)
    .select((eb) =>
      eb.selectFrom('reward_redemptions as rr')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('rr.tenant_id', '=', 'r.tenant_id').whereRef('rr.reward_id', '=', 'r.id').where('rr.status', '<>', 'cancelled')
        .as('redeemed'),
    )
    .where('r.tenant_id', '=', tenantId);
}

export type RewardRow = NonNullable<Awaited<ReturnType<typeof findReward>>>;

export function findReward(db: Db, tenantId: string, id: string) {
  return rewardsOf(db, tenantId).where('r.id', '=', id).executeTakeFirst();
}

/** Newest first; `limit + 1` rows before the cursor (see shared/page.ts). */
export function listRewards(db: Db, tenantId: string, filter: { status?: RewardStatus }, limit: number, beforeId?: string) {
  let query = rewardsOf(db, tenantId).orderBy('r.id', 'desc').limit(limit + 1);
  if (filter.status) query = query.where('r.status', '=', filter.status);
  if (beforeId) query = query.where('r.id', '<', beforeId);
  return query.execute();
}

/**
 * Active rewards whose window (both ends inclusive) contains `at` and that the tier may see,
 * newest first, with how many the member redeemed (cancelled ones not counted).
 */
export function catalogFor(db: Db, tenantId: string, member: { id: string; tierCode: string }, at: Date, limit: number, beforeId?: string) {
  let query = memberCatalog(db, tenantId, member, at).orderBy('r.id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('r.id', '<', beforeId);
  return query.execute();
}

/** How many rewards of the member's whole catalog they can redeem now: in stock, under their limit, within `balance`. */
export async function countRedeemable(db: Db, tenantId: string, member: { id: string; tierCode: string }, at: Date, balance: number) {
  const row = await db
    .selectFrom(memberCatalog(db, tenantId, member, at).as('c'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => eb.or([eb('c.stock', 'is', null), eb('c.stock', '>', 0)]))
    .where((eb) => eb.or([eb('c.per_member_limit', 'is', null), eb('c.redeemed_by_member', '<', eb.ref('c.per_member_limit'))]))
    .where('c.points_cost', '<=', balance)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function memberCatalog(db: Db, tenantId: string, member: { id: string; tierCode: string }, at: Date) {
  return rewardsOf(db, tenantId)
    .select((eb) =>
      eb.selectFrom('reward_redemptions as mine')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('mine.tenant_id', '=', 'r.tenant_id').whereRef('mine.reward_id', '=', 'r.id')
        .where('mine.member_id', '=', member.id).where('mine.status', '<>', 'cancelled')
        .as('redeemed_by_member'),
    )
    .where('r.status', '=', 'active')
    .where((eb) => eb.or([eb('r.starts_at', 'is', null), eb('r.starts_at', '<=', at)]))
    .where((eb) => eb.or([eb('r.ends_at', 'is', null), eb('r.ends_at', '>=', at)]))
    .where(sql<boolean>`(r.tiers is null or ${member.tierCode} = any(r.tiers))`);
}

/** The reward row locked until the transaction ends: stock, limits and terms are checked under it. */
export function lockReward(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('rewards')
    .select(['id', 'name', 'points_cost', 'stock', 'per_member_limit', 'tiers', 'starts_at', 'ends_at', 'fulfilment', 'voucher', 'status', 'description'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export type LockedReward = NonNullable<Awaited<ReturnType<typeof lockReward>>>;

export async function insertReward(db: Db, row: Insertable<RewardTable>) {
  await db.insertInto('rewards').values(row).execute();
}

export async function updateReward(db: Db, tenantId: string, id: string, values: Updateable<RewardTable>) {
  await db.updateTable('rewards').set({ ...values, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** One unit off the stock; false when none is left. Rewards of unlimited stock are not touched. */
export async function takeFromStock(db: Db, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .updateTable('rewards')
    .set((eb) => ({ stock: eb('stock', '-', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('stock', '>', 0)
    .returning('id')
    .execute();
  return rows.length > 0;
}

export async function returnToStock(db: Db, tenantId: string, id: string) {
  await db
    .updateTable('rewards')
    .set((eb) => ({ stock: eb('stock', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('stock', 'is not', null)
    .execute();
}

export async function setImage(db: Db, tenantId: string, id: string, image: Buffer, type: RewardImageType, at: Date) {
  await db.updateTable('rewards').set({ image, image_type: type, image_updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Removes the image; false when there was none. */
export async function clearImage(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('rewards')
    .set({ image: null, image_type: null, image_updated_at: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('image', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function findImageBySlug(db: Db, slug: string, id: string) {
  return db
    .selectFrom('rewards as r')
    .innerJoin('tenants as t', 't.id', 'r.tenant_id')
    .select(['r.image', 'r.image_type', 'r.image_updated_at'])
    .where('t.slug', '=', slug)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

// ---- members

/** The member's status and current tier code. */
export function memberStanding(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('tiers as t', (j) => j.onRef('t.tenant_id', '=', 'm.tenant_id').onRef('t.id', '=', 'm.tier_id'))
    .select(['m.id', 'm.status', 't.code as tier_code'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
}

// ---- redemptions

export async function insertRedemption(
  db: Db,
  row: { tenant_id: string; id: string; reward_id: string; member_id: string; points: number; voucher_id: string | null; store_id: string | null; actor_kind: string; actor_id: string | null },
) {
  await db.insertInto('reward_redemptions').values(row).execute();
}

/** The member's redemptions of the reward that stand (not cancelled). */
export async function standingRedemptions(db: Db, tenantId: string, rewardId: string, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('reward_redemptions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('reward_id', '=', rewardId)
    .where('member_id', '=', memberId)
    .where('status', '<>', 'cancelled')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Redemptions with their reward's name and their voucher's code and terms. */
function redemptionsOf(db: Db, tenantId: string) {
  return db
    .selectFrom('reward_redemptions as rr')
    .innerJoin('rewards as r', (j) => j.onRef('r.tenant_id', '=', 'rr.tenant_id').onRef('r.id', '=', 'rr.reward_id'))
    .leftJoin('vouchers as v', (j) => j.onRef('v.tenant_id', '=', 'rr.tenant_id').onRef('v.id', '=', 'rr.voucher_id'))
    .leftJoin('voucher_batches as b', (j) => j.onRef('b.tenant_id', '=', 'v.tenant_id').onRef('b.id', '=', 'v.batch_id'))
    .select([
      'rr.id', 'rr.reward_id', 'r.name as reward_name', 'rr.member_id', 'rr.points', 'rr.voucher_id', 'rr.store_id', 'rr.status',
      'rr.created_at', 'rr.handed_over_at', 'v.code', 'v.expires_at as voucher_expires_at', 'b.kind', 'b.value', 'b.max_discount', 'b.sku', 'b.min_spend',
    ])
    .where('rr.tenant_id', '=', tenantId);
}

export type RedemptionRow = NonNullable<Awaited<ReturnType<typeof findRedemption>>>;

export function findRedemption(db: Db, tenantId: string, id: string) {
  return redemptionsOf(db, tenantId).where('rr.id', '=', id).executeTakeFirst();
}

/** The member's redemptions, newest first; `limit + 1` rows before the cursor. */
export function redemptionsOfMember(db: Db, tenantId: string, memberId: string, limit: number, beforeId?: string) {
  let query = redemptionsOf(db, tenantId).where('rr.member_id', '=', memberId).orderBy('rr.id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('rr.id', '<', beforeId);
  return query.execute();
}

export function lockRedemption(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('reward_redemptions')
    .select(['id', 'reward_id', 'member_id', 'points', 'voucher_id', 'store_id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function setRedemptionStatus(db: Db, tenantId: string, id: string, status: 'handed_over' | 'cancelled') {
  await db
    .updateTable('reward_redemptions')
    .set({ status, ...(status === 'handed_over' ? { handed_over_at: sql<Date>`now()` } : {}) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

// ---- the member's vouchers

/**
 * The member's own codes that can still be used at `at` or later: not voided, batch active, uses
 * left, not expired (codes not valid yet included, with their start). Newest first, at most `limit`.
 */
/** `order`: newest first (the till), or the soonest to expire first (the member's list; no expiry last). */
export function usableVouchersOf(db: Db, tenantId: string, memberId: string, at: Date, limit: number, order: 'newest' | 'expiring' = 'newest') {
  const expiresAt = sql<Date | null>`coalesce(v.expires_at, b.expires_at)`;
  return db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_batches as b', (j) => j.onRef('b.tenant_id', '=', 'v.tenant_id').onRef('b.id', '=', 'v.batch_id'))
    .leftJoin('rewards as r', (j) => j.onRef('r.tenant_id', '=', 'b.tenant_id').onRef('r.id', '=', 'b.reward_id'))
    .select([
      'v.id', 'v.code', 'v.uses', 'v.max_uses', 'b.name', 'b.kind', 'b.value', 'b.max_discount', 'b.sku', 'b.min_spend', 'b.starts_at',
      'b.channels', 'r.id as reward_id', 'r.name as reward_name',
    ])
    .select(expiresAt.as('expires_at'))
    .where('v.tenant_id', '=', tenantId)
    .where('v.member_id', '=', memberId)
    .where('v.voided_at', 'is', null)
    .where('b.status', '=', 'active')
    .where((eb) => eb.or([eb('v.max_uses', 'is', null), eb('v.uses', '<', eb.ref('v.max_uses'))]))
    .where(sql<boolean>`(${expiresAt} is null or ${expiresAt} >= ${at})`)
    .$if(order === 'expiring', (query) => query.orderBy(sql`${expiresAt} asc nulls last`))
    .orderBy('v.id', 'desc')
    .limit(limit)
    .execute();
}
