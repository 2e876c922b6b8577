import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { VoucherBatchTable } from '@kartu/db';
import type { Db } from '../deps.ts';

// ---- batches

export async function insertBatch(db: Db, row: Insertable<VoucherBatchTable>) {
  await db.insertInto('voucher_batches').values(row).execute();
}

const batchColumns = [
  'b.id', 'b.name', 'b.origin', 'b.kind', 'b.value', 'b.max_discount', 'b.sku', 'b.min_spend', 'b.starts_at', 'b.expires_at',
  'b.uses_per_code', 'b.per_member_limit', 'b.channels', 'b.stores', 'b.priority', 'b.exclusivity_group', 'b.reward_id', 'b.count',
  'b.status', 'b.created_at',
] as const;

/** Batches with the public code or the member of personal codes (their first code's, from the batch index). */
function batchesWithOwner(db: Db, tenantId: string) {
  return db
    .selectFrom('voucher_batches as b')
    .select(batchColumns)
    .select((eb) => [
      eb.selectFrom('vouchers as v').select('v.code')
        .whereRef('v.tenant_id', '=', 'b.tenant_id').whereRef('v.batch_id', '=', 'b.id').where('b.origin', '=', 'public')
        .orderBy('v.code').limit(1).as('public_code'),
      eb.selectFrom('vouchers as v').select('v.member_id')
        .whereRef('v.tenant_id', '=', 'b.tenant_id').whereRef('v.batch_id', '=', 'b.id').where('b.origin', '=', 'personal')
        .orderBy('v.code').limit(1).as('member_id'),
    ])
    .where('b.tenant_id', '=', tenantId);
}

export type BatchRow = NonNullable<Awaited<ReturnType<typeof findBatch>>>;

export function findBatch(db: Db, tenantId: string, id: string) {
  return batchesWithOwner(db, tenantId).where('b.id', '=', id).executeTakeFirst();
}

export interface BatchFilter {
  /** Part of the name, ignoring case. */
  query?: string;
  status?: 'active' | 'disabled';
}

/** Newest first (ids are UUIDv7), `limit + 1` rows before the cursor. */
export function listBatches(db: Db, tenantId: string, filter: BatchFilter, limit: number, beforeId?: string) {
  let query = batchesWithOwner(db, tenantId).orderBy('b.id', 'desc').limit(limit + 1);
  if (filter.query) query = query.where(sql`lower(b.name)`, 'like', `%${filter.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.status) query = query.where('b.status', '=', filter.status);
  if (beforeId) query = query.where('b.id', '<', beforeId);
  return query.execute();
}

export async function batchUsage(db: Db, tenantId: string, batchId: string) {
  const row = await db
    .selectFrom('vouchers')
    .select((eb) => [eb.fn.countAll<number>().as('issued'), eb.fn.coalesce(eb.fn.sum<number>('uses'), sql<number>`0`).as('used')])
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .executeTakeFirstOrThrow();
  return { issued: Number(row.issued), used: Number(row.used) };
}

export async function updateBatch(db: Db, tenantId: string, id: string, patch: { name?: string | null; expires_at?: Date }) {
  await db.updateTable('voucher_batches').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function setBatchStatus(db: Db, tenantId: string, id: string, status: 'active' | 'disabled') {
  await db.updateTable('voucher_batches').set({ status }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** The batch's codes in code order after `afterCode`, for the CSV download. */
export function batchCodesPage(db: Db, tenantId: string, batchId: string, afterCode: string | null, limit: number) {
  let query = db
    .selectFrom('vouchers')
    .select(['code', 'uses', 'max_uses', 'member_id', 'expires_at'])
    .where('tenant_id', '=', tenantId)
    .where('batch_id', '=', batchId)
    .orderBy('code')
    .limit(limit);
  if (afterCode !== null) query = query.where('code', '>', afterCode);
  return query.execute();
}

// ---- codes

export interface CodeTarget {
  tenantId: string;
  batchId: string;
  memberId: string | null;
  maxUses: number | null;
}

/** How many codes the tenant has of `prefix` followed by `length` more characters, in every batch. */
export async function countCodesOfShape(db: Db, tenantId: string, prefix: string, length: number): Promise<number> {
  const row = await db
    .selectFrom('vouchers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('code', 'like', `${prefix}%`)
    .where(sql<number>`char_length(code)`, '=', prefix.length + length)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Inserts the codes that are new in the tenant (the rest are skipped, as are repeats within
 * `codes`) and says how many went in. One statement with two array parameters, so a chunk of
 * 10,000 codes is one round trip whatever Postgres's limit on parameters.
 */
export async function insertCodes(db: Db, target: CodeTarget, ids: string[], codes: string[]): Promise<number> {
  const result = await sql<{ inserted: number }>`
    with inserted as (
      insert into vouchers (tenant_id, id, batch_id, code, member_id, max_uses)
      select ${target.tenantId}::uuid, c.id, ${target.batchId}::uuid, c.code, ${target.memberId}::uuid, ${target.maxUses}::int
      from unnest(${ids}::uuid[], ${codes}::text[]) as c (id, code)
      on conflict (tenant_id, code) do nothing
      returning 1
    )
    select count(*)::int as inserted from inserted`.execute(db);
  return result.rows[0].inserted;
}

const voucherColumns = [
  'v.id', 'v.code', 'v.batch_id', 'v.member_id', 'v.max_uses', 'v.uses', 'v.created_at', 'v.voided_at',
  'b.origin', 'b.name as batch_name', 'b.kind', 'b.value', 'b.max_discount', 'b.sku', 'b.min_spend', 'b.starts_at',
  'b.channels', 'b.stores', 'b.priority', 'b.exclusivity_group', 'b.per_member_limit', 'b.status as batch_status',
] as const;

function vouchersWithBatch(db: Db, tenantId: string) {
  return db
    .selectFrom('vouchers as v')
    .innerJoin('voucher_batches as b', (j) => j.onRef('b.tenant_id', '=', 'v.tenant_id').onRef('b.id', '=', 'v.batch_id'))
    .select(voucherColumns)
    .select(sql<Date | null>`coalesce(v.expires_at, b.expires_at)`.as('expires_at'))
    .where('v.tenant_id', '=', tenantId);
}

export type VoucherRow = NonNullable<Awaited<ReturnType<typeof findVoucherByCode>>>;

export function findVoucherByCode(db: Db, tenantId: string, code: string) {
  return vouchersWithBatch(db, tenantId).where('v.code', '=', code).executeTakeFirst();
}

export function findVouchersByCodes(db: Db, tenantId: string, codes: string[]) {
  if (codes.length === 0) return Promise.resolve([]);
  return vouchersWithBatch(db, tenantId).where('v.code', 'in', codes).execute();
}

export function findVoucher(db: Db, tenantId: string, id: string) {
  return vouchersWithBatch(db, tenantId).where('v.id', '=', id).executeTakeFirst();
}

/** The voucher row locked for a use or its cancellation. Lock several in ascending id order. */
export function lockVoucher(db: Db, tenantId: string, id: string) {
  return vouchersWithBatch(db, tenantId).where('v.id', '=', id).forUpdate('v').executeTakeFirst();
}

export async function lockVouchers(db: Db, tenantId: string, ids: string[]) {
  if (ids.length === 0) return;
  await db.selectFrom('vouchers').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

/** Adds a use (or returns one, delta −1); the row's CHECK keeps uses within 0..max_uses. */
export async function addUses(db: Db, tenantId: string, voucherId: string, delta: number) {
  await db
    .updateTable('vouchers')
    .set((eb) => ({ uses: eb('uses', '+', delta) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', voucherId)
    .execute();
}

// ---- redemptions

export type NewRedemption = {
  tenant_id: string; id: string; voucher_id: string; member_id: string | null; transaction_id: string | null; store_id: string | null;
  amount: number; actor_kind: string; actor_id: string | null;
};

/**
 * Writes a use, answered as `findRedemption` would. The voucher's `uses` is counted at COMMIT by a
 * deferred trigger (migration 0030), which locks the voucher's row only then and refuses the commit
 * if it has no use left, was voided or its batch paused meanwhile.
 */
export async function insertRedemption(db: Db, row: NewRedemption): Promise<RedemptionRow> {
  const { rows } = await sql<RedemptionRow>`
    with r as (
      insert into voucher_redemptions (tenant_id, id, voucher_id, member_id, transaction_id, store_id, amount, actor_kind, actor_id)
      values (${row.tenant_id}, ${row.id}, ${row.voucher_id}, ${row.member_id}, ${row.transaction_id}, ${row.store_id}, ${row.amount}, ${row.actor_kind}, ${row.actor_id})
      returning *
    )
    select r.id, r.voucher_id, v.code, r.member_id, m.name as member_name, r.transaction_id, r.store_id, r.amount, r.status,
      r.actor_kind, r.actor_id, r.created_at, r.cancelled_at
    from r
    join vouchers v on v.tenant_id = r.tenant_id and v.id = r.voucher_id
    left join members m on m.tenant_id = r.tenant_id and m.id = r.member_id`.execute(db);
  return rows[0];
}

/** Live uses of each voucher by one member. */
export async function memberUses(db: Db, tenantId: string, voucherIds: string[], memberId: string): Promise<Map<string, number>> {
  if (voucherIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('voucher_redemptions')
    .select((eb) => ['voucher_id', eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('voucher_id', 'in', voucherIds)
    .where('member_id', '=', memberId)
    .where('status', '=', 'redeemed')
    .groupBy('voucher_id')
    .execute();
  return new Map(rows.map((r) => [r.voucher_id, Number(r.n)]));
}

function redemptionsWithMember(db: Db, tenantId: string) {
  return db
    .selectFrom('voucher_redemptions as r')
    .innerJoin('vouchers as v', (j) => j.onRef('v.tenant_id', '=', 'r.tenant_id').onRef('v.id', '=', 'r.voucher_id'))
    .leftJoin('members as m', (j) => j.onRef('m.tenant_id', '=', 'r.tenant_id').onRef('m.id', '=', 'r.member_id'))
    .select([
      'r.id', 'r.voucher_id', 'v.code', 'r.member_id', 'm.name as member_name', 'r.transaction_id', 'r.store_id', 'r.amount', 'r.status',
      'r.actor_kind', 'r.actor_id', 'r.created_at', 'r.cancelled_at',
    ])
    .where('r.tenant_id', '=', tenantId);
}

export type RedemptionRow = NonNullable<Awaited<ReturnType<typeof findRedemption>>>;

export function findRedemption(db: Db, tenantId: string, id: string) {
  return redemptionsWithMember(db, tenantId).where('r.id', '=', id).executeTakeFirst();
}

/** The voucher's latest redemptions, newest first. */
export function latestRedemptions(db: Db, tenantId: string, voucherId: string, limit: number) {
  return redemptionsWithMember(db, tenantId).where('r.voucher_id', '=', voucherId).orderBy('r.id', 'desc').limit(limit).execute();
}

/** Marks the redemption cancelled unless it already is; true when this call cancelled it. */
export async function cancelRedemption(db: Db, tenantId: string, id: string): Promise<boolean> {
  const rows = await db
    .updateTable('voucher_redemptions')
    .set({ status: 'cancelled', cancelled_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'redeemed')
    .returning('id')
    .execute();
  return rows.length > 0;
}

export function liveRedemptionsOfTransaction(db: Db, tenantId: string, transactionId: string) {
  return db
    .selectFrom('voucher_redemptions')
    .select(['id', 'voucher_id'])
    .where('tenant_id', '=', tenantId)
    .where('transaction_id', '=', transactionId)
    .where('status', '=', 'redeemed')
    .execute();
}

// ---- what a redemption refers to

export function findTransactionRef(db: Db, tenantId: string, id: string) {
  return db.selectFrom('transactions').select(['id', 'member_id', 'status']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The sale held FOR SHARE: a void or refund (FOR UPDATE) waits until the use on it is written. */
export function lockTransactionRefForShare(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('transactions')
    .select(['id', 'member_id', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forShare()
    .executeTakeFirst();
}

export function findMemberRef(db: Db, tenantId: string, id: string) {
  return db.selectFrom('members').select(['id', 'name', 'status']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function existingStoreIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * The member's vouchers, newest first: their personal codes and any other code they used (a
 * public one, say); `limit + 1` rows after the cursor.
 */
export function vouchersOfMember(db: Db, tenantId: string, memberId: string, limit: number, beforeId?: string) {
  const used = db
    .selectFrom('voucher_redemptions')
    .select('voucher_id')
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId);
  let query = vouchersWithBatch(db, tenantId)
    .where((eb) => eb.or([eb('v.member_id', '=', memberId), eb('v.id', 'in', used)]))
    .orderBy('v.id', 'desc')
    .limit(limit + 1);
  if (beforeId) query = query.where('v.id', '<', beforeId);
  return query.execute();
}
