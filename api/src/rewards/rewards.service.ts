import type { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, invalidField, notFound, type FieldError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { listTiers } from '../tiers/tiers.repository.ts';
import { parseRewardImage } from './reward-image.ts';
import { MAX_STOCK, RewardBody, type RewardInput, type RewardPatchInput, type RewardVoucher } from './reward-schema.ts';
import { toRewardView } from './rewards.mapper.ts';
import * as repo from './rewards.repository.ts';

// The rewards catalog: what members can redeem their points for. Changes are audit-logged; a
// change never touches redemptions already made (they keep the points they cost and their voucher).

export async function listRewards(db: Db, principal: Principal, filter: { status?: repo.RewardStatus }, cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listRewards(db, principal.tenantId, filter, limit, cursor), limit);
  return { items: page.map(toRewardView), nextCursor };
}

async function rewardView(db: Db, tenantId: string, id: string) {
  const row = await repo.findReward(db, tenantId, id);
  if (!row) throw notFound('Reward');
  return toRewardView(row);
}

export const getReward = (db: Db, principal: Principal, id: string) => rewardView(db, principal.tenantId, id);

export async function createReward(db: Db, principal: Principal, input: RewardInput) {
  return inTransaction(db, async (trx) => {
    await checkTiers(trx, principal.tenantId, input.tiers);
    const id = newId();
    await repo.insertReward(trx, { tenant_id: principal.tenantId, id, ...valuesOf(input) });
    await recordAudit(trx, principal, { action: 'reward.created', targetType: 'reward', targetId: id, details: { ...input } });
    return rewardView(trx, principal.tenantId, id);
  });
}

/**
 * A partial change, validated as the reward it makes. `stock` sets the units left; `addStock` adds
 * to them under the row lock, so units taken by concurrent redemptions are not given back.
 * `expectedStock` makes either conditional on the units left being what the caller saw.
 */
export async function updateReward(db: Db, principal: Principal, id: string, patch: RewardPatchInput) {
  return inTransaction(db, async (trx) => {
    const before = await repo.lockReward(trx, principal.tenantId, id);
    if (!before) throw notFound('Reward');
    if (before.status === 'archived') throw new DomainError('conflict', 'The reward is archived and can no longer change');
    const { addStock, expectedStock, ...fields } = patch;
    if (expectedStock !== undefined && expectedStock !== before.stock) {
      throw new DomainError('conflict', `The stock changed meanwhile: ${before.stock ?? 'unlimited'} left now`, { stock: before.stock }, [
        { path: 'body.expectedStock', message: 'Not the stock left now' },
      ]);
    }
    const merged = { ...inputOf(before), ...fields };
    if (addStock !== undefined) {
      if (fields.stock !== undefined) throw invalidField('body.addStock', 'Send stock or addStock, not both');
      if (before.stock === null) throw invalidField('body.addStock', 'The stock is unlimited; set stock to limit it');
      if (before.stock + addStock > MAX_STOCK) throw invalidField('body.addStock', `At most ${MAX_STOCK - before.stock} more`);
      merged.stock = before.stock + addStock;
    }
    const parsed = RewardBody.safeParse(merged);
    if (!parsed.success) throw validationError(parsed.error.issues);
    await checkTiers(trx, principal.tenantId, parsed.data.tiers);
    await repo.updateReward(trx, principal.tenantId, id, valuesOf(parsed.data));
    await recordAudit(trx, principal, { action: 'reward.updated', targetType: 'reward', targetId: id, details: { before: inputOf(before), patch } });
    return rewardView(trx, principal.tenantId, id);
  });
}

/** Archived rewards leave the catalog for good; repeating the call changes nothing. Redemptions made stay. */
export async function archiveReward(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockReward(trx, principal.tenantId, id);
    if (!row) throw notFound('Reward');
    if (row.status !== 'archived') {
      await repo.updateReward(trx, principal.tenantId, id, { status: 'archived' });
      await recordAudit(trx, principal, { action: 'reward.archived', targetType: 'reward', targetId: id });
    }
    return rewardView(trx, principal.tenantId, id);
  });
}

/** Replaces the reward's image with the PNG, JPEG or WebP in the data URL `image` (reward-image.ts checks it). */
export async function uploadRewardImage(db: Db, principal: Principal, id: string, image: string) {
  const parsed = parseRewardImage(image);
  return inTransaction(db, async (trx) => {
    if (!(await repo.lockReward(trx, principal.tenantId, id))) throw notFound('Reward');
    await repo.setImage(trx, principal.tenantId, id, parsed.bytes, parsed.type, new Date());
    await recordAudit(trx, principal, {
      action: 'reward.image_uploaded', targetType: 'reward', targetId: id,
      details: { type: parsed.type, bytes: parsed.bytes.length, width: parsed.width, height: parsed.height },
    });
    return rewardView(trx, principal.tenantId, id);
  });
}

/** Removes the image; nothing to remove changes nothing. */
export async function removeRewardImage(db: Db, principal: Principal, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (!(await repo.lockReward(trx, principal.tenantId, id))) throw notFound('Reward');
    if (await repo.clearImage(trx, principal.tenantId, id)) {
      await recordAudit(trx, principal, { action: 'reward.image_removed', targetType: 'reward', targetId: id });
    }
  });
}

/** A reward's public image by the retailer's slug, with an ETag for revalidation. */
export async function publicRewardImage(db: Db, slug: string, id: string): Promise<{ bytes: Buffer; type: string; etag: string }> {
  const row = await repo.findImageBySlug(db, slug, id);
  if (!row?.image || !row.image_type || !row.image_updated_at) throw notFound('Reward image');
  const bytes = Buffer.from(row.image.buffer, row.image.byteOffset, row.image.byteLength);
  return { bytes, type: row.image_type, etag: `"reward-${id}-${new Date(row.image_updated_at).getTime()}"` };
}

function inputOf(row: repo.LockedReward): RewardInput {
  return {
    name: row.name,
    description: row.description,
    pointsCost: row.points_cost,
    stock: row.stock,
    perMemberLimit: row.per_member_limit,
    tiers: row.tiers,
    startsAt: row.starts_at ? new Date(row.starts_at).toISOString() : null,
    endsAt: row.ends_at ? new Date(row.ends_at).toISOString() : null,
    fulfilment: row.fulfilment,
    voucher: row.voucher as RewardVoucher | null,
  };
}

function valuesOf(input: RewardInput) {
  return {
    name: input.name,
    description: input.description ?? null,
    points_cost: input.pointsCost,
    stock: input.stock ?? null,
    per_member_limit: input.perMemberLimit ?? null,
    tiers: input.tiers ?? null,
    starts_at: input.startsAt ?? null,
    ends_at: input.endsAt ?? null,
    fulfilment: input.fulfilment,
    voucher: input.voucher ? JSON.stringify(input.voucher) : null,
  };
}

/** Tier codes must be the tenant's own; each unknown one is named. */
async function checkTiers(db: Db, tenantId: string, codes: string[] | null | undefined) {
  if (!codes?.length) return;
  const known = new Set((await listTiers(db, tenantId)).map((tier) => tier.code));
  const errors = codes.flatMap((code, i) => (known.has(code) ? [] : [{ path: `body.tiers.${i}`, message: `No tier with code ${code}` }]));
  if (errors.length) throw invalid(errors);
}

const invalid = (errors: FieldError[]) => new DomainError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {}, errors);

const validationError = (issues: z.ZodError['issues']) =>
  invalid(issues.map((issue) => ({ path: ['body', ...issue.path].join('.'), message: issue.message })));
