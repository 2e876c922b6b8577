import { z } from 'zod';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as repo from './tiers.repository.ts';
import { enqueueWebhookEvent, enqueueWebhookEvents } from '../webhooks/webhook-events.ts';
import { tierChangedData } from '../webhooks/webhook-payloads.ts';

export const TierSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    rank: z.number().int().meta({ description: '0 is the entry tier; higher is better' }),
    minQualifying: z.number().int().meta({ description: 'Spend (minor units) or points over the window, by the tenant’s tier basis' }),
    earnMultiplier: z.number().meta({ example: 1.5 }),
    freeShipping: z.boolean(),
  })
  .meta({ id: 'Tier' });

export type TierView = z.infer<typeof TierSchema>;

const toTierView = (row: repo.TierRow): TierView => ({
  id: row.id, code: row.code, name: row.name, rank: row.rank, minQualifying: row.min_qualifying,
  earnMultiplier: row.earn_multiplier_pct / 100, freeShipping: row.free_shipping,
});

export interface TierInput {
  code: string;
  name: string;
  rank: number;
  minQualifying: number;
  earnMultiplier: number;
  freeShipping?: boolean;
}

export const listTiers = async (db: Db, principal: Principal) => (await repo.listTiers(db, principal.tenantId)).map(toTierView);

export async function createTier(db: Db, principal: Principal, input: TierInput) {
  return inTransaction(db, async (trx) => {
    if (await repo.tierTaken(trx, principal.tenantId, 'code', input.code)) throw new DomainError('validation', `Tier code ${input.code} exists`, {}, [{ path: 'body.code', message: 'Taken' }]);
    if (await repo.tierTaken(trx, principal.tenantId, 'rank', input.rank)) throw new DomainError('validation', `A tier has rank ${input.rank}`, {}, [{ path: 'body.rank', message: 'Taken' }]);
    const id = newId();
    await repo.insertTier(trx, {
      tenant_id: principal.tenantId, id, code: input.code, name: input.name, rank: input.rank, min_qualifying: input.minQualifying,
      earn_multiplier_pct: Math.round(input.earnMultiplier * 100), free_shipping: input.freeShipping ?? false,
    });
    await recordAudit(trx, principal, { action: 'tier.created', targetType: 'tier', targetId: id, details: { ...input } });
    return toTierView((await repo.findTier(trx, principal.tenantId, id))!);
  });
}

export async function updateTier(db: Db, principal: Principal, id: string, patch: Partial<Omit<TierInput, 'code'>>) {
  return inTransaction(db, async (trx) => {
    const before = await repo.findTier(trx, principal.tenantId, id);
    if (!before) throw notFound('Tier');
    if (patch.rank !== undefined && (await repo.tierTaken(trx, principal.tenantId, 'rank', patch.rank, id))) {
      throw new DomainError('validation', `A tier has rank ${patch.rank}`, {}, [{ path: 'body.rank', message: 'Taken' }]);
    }
    await repo.updateTier(trx, principal.tenantId, id, {
      name: patch.name, rank: patch.rank, min_qualifying: patch.minQualifying,
      earn_multiplier_pct: patch.earnMultiplier === undefined ? undefined : Math.round(patch.earnMultiplier * 100), free_shipping: patch.freeShipping,
    });
    await recordAudit(trx, principal, { action: 'tier.updated', targetType: 'tier', targetId: id, details: { before: toTierView(before), patch } });
    return toTierView((await repo.findTier(trx, principal.tenantId, id))!);
  });
}

/**
 * Deletes a tier no one holds and no live program names: members keep a tier, and a program naming
 * a missing code would quietly stop matching. The row locks make a member joining it meanwhile wait.
 */
export async function deleteTier(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const tiers = await repo.lockTenantTiers(trx, principal.tenantId);
    const tier = tiers.find((t) => t.id === id);
    if (!tier) throw notFound('Tier');
    if (tiers.length === 1) throw new DomainError('conflict', 'The last tier cannot be deleted: every member needs one');
    const usedBy = await repo.tierUsage(trx, principal.tenantId, id, tier.code);
    if (Object.values(usedBy).some((count) => count > 0)) {
      throw new DomainError('conflict', `Tier ${tier.code} is in use; move its members and change the programs that name it first`, { usedBy });
    }
    await repo.deleteTier(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'tier.deleted', targetType: 'tier', targetId: id, details: { ...toTierView(tier) } });
  });
}

/** After a sale: move the member up at once to the best tier they now qualify for. */
export async function upgradeIfQualified(db: Db, tenant: Awaited<ReturnType<typeof getTenant>>, memberId: string, at: Date) {
  const tenantId = tenant.id;
  const [tiers, current] = await Promise.all([repo.listTiers(db, tenantId), repo.memberTier(db, tenantId, memberId)]);
  // Most sales are by members at the top of a short ladder, or of a tenant without one: no sums then.
  if (!current || !tiers.some((t) => t.rank > current.rank)) return null;
  const value = await repo.qualifyingValue(db, tenantId, memberId, tenant.tier_basis, tenant.tier_window_months, at, tenant.time_zone);
  const best = tiers.filter((t) => t.rank > current.rank && t.min_qualifying <= value).at(-1);
  // A tier deleted meanwhile cannot be joined; the next sale finds the best of those left.
  if (!best || !(await repo.shareTier(db, tenantId, best.id))) return null;
  // Reached now, after the sale that qualified: the window that keeps the tier starts here.
  await repo.setMemberTier(db, tenantId, memberId, best.id, new Date(), tenant.tier_window_months, tenant.time_zone);
  await enqueueWebhookEvent(db, tenantId, 'member.tier_changed', tierChangedData(memberId, current, best, 'qualified'));
  return toTierView(best);
}

export const TierProgressSchema = z
  .object({
    current: TierSchema,
    basis: z.enum(['spend', 'points']),
    windowMonths: z.number().int(),
    value: z.number().int().meta({ description: 'Spend (minor units) or points counted over the window' }),
    next: z
      .object({
        tier: TierSchema,
        needed: z.number().int().meta({ description: 'Spend (minor units) or points still needed for the next tier: its minQualifying minus value, at least 0' }),
        progress: z.number().int().min(0).max(100).meta({ description: 'Percent of the way from the current tier’s threshold to the next one’s, rounded down, for a progress bar' }),
      })
      .nullable()
      .meta({ description: 'What is still needed for the next tier' }),
    keep: z.object({ reviewAt: z.string(), needed: z.number().int() }).nullable().meta({ description: 'What keeps the current tier at its review' }),
  })
  .meta({ id: 'TierProgress' });

export async function tierProgress(db: Db, tenantId: string, memberId: string): Promise<z.infer<typeof TierProgressSchema>> {
  const tenant = await getTenant(db, tenantId);
  const [tiers, current] = await Promise.all([repo.listTiers(db, tenantId), repo.memberTier(db, tenantId, memberId)]);
  if (!current) throw notFound('Member');
  const now = new Date();
  const value = await repo.qualifyingValue(db, tenantId, memberId, tenant.tier_basis, tenant.tier_window_months, now, tenant.time_zone);
  const next = tiers.find((t) => t.rank > current.rank);
  const currentRow = tiers.find((t) => t.id === current.id)!;
  return {
    current: toTierView(currentRow),
    basis: tenant.tier_basis,
    windowMonths: tenant.tier_window_months,
    value,
    next: next ? { tier: toTierView(next), needed: Math.max(0, next.min_qualifying - value), progress: progressBetween(currentRow.min_qualifying, next.min_qualifying, value) } : null,
    keep: current.tier_review_at ? await keepNeeded(db, tenant, memberId, current.min_qualifying, new Date(current.tier_review_at)) : null,
  };
}

/** How far `value` has come from one threshold to the next, 0–100 (a member kept in a tier above its value is at 0). */
export function progressBetween(from: number, to: number, value: number): number {
  if (to <= from) return value >= to ? 100 : 0;
  return Math.min(100, Math.max(0, Math.floor(((value - from) / (to - from)) * 100)));
}

/** What still has to come, before the review, within the window the review will count. */
async function keepNeeded(db: Db, tenant: Awaited<ReturnType<typeof getTenant>>, memberId: string, minQualifying: number, reviewAt: Date) {
  const counted = await repo.qualifyingValue(db, tenant.id, memberId, tenant.tier_basis, tenant.tier_window_months, reviewAt, tenant.time_zone);
  return { reviewAt: reviewAt.toISOString(), needed: Math.max(0, minQualifying - counted) };
}

/** The anniversary review of one batch; each step down is a member.tier_changed event, in the same transaction. */
export function reviewTiers(db: Db, now = new Date(), batchSize = 1000) {
  return inTransaction(db, async (trx) => {
    const { reviewed, downgrades } = await repo.reviewDueTiers(trx, now, batchSize);
    if (downgrades.length) {
      const tiers = new Map((await repo.tiersWithIds(trx, downgrades.flatMap((d) => [{ tenantId: d.tenant_id, id: d.from_id }, { tenantId: d.tenant_id, id: d.to_id }]))).map((t) => [t.id, t]));
      await enqueueWebhookEvents(trx, 'member.tier_changed', downgrades.map((d) => ({
        tenantId: d.tenant_id, data: tierChangedData(d.member_id, tiers.get(d.from_id)!, tiers.get(d.to_id)!, 'review'),
      })));
    }
    return { reviewed, downgraded: downgrades.length };
  });
}
