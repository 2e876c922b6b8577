import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { balancesOf, credit, debit, lockAccount } from '../ledger/ledger.service.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { assertMemberPresent } from '../scan/presence.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { cancelRewardVoucher, issuePersonalVoucher, type RewardVoucherTerms } from '../vouchers/reward-vouchers.ts';
import { toRedemptionView } from './rewards.mapper.ts';
import * as repo from './rewards.repository.ts';
import { enqueueWebhookEvent } from '../webhooks/webhook-events.ts';
import { rewardRedeemedData } from '../webhooks/webhook-payloads.ts';

// Redeeming rewards. One transaction locks, in this order, the member's point account, then the
// reward row (then, to cancel, the redemption and its voucher) — the order sales and the ledger
// jobs use (accounts first) — and checks every rule under those locks. So stock is never
// oversold, a per-member limit never exceeded, and points are debited only together with the
// stock unit, the voucher and the redemption row: any refusal or failure changes nothing.

export type NotAvailableReason = 'not_started' | 'ended' | 'tier';

const notAvailableText: Record<NotAvailableReason, string> = {
  not_started: 'This reward cannot be redeemed yet',
  ended: 'This reward can no longer be redeemed',
  tier: 'This reward is for other tiers',
};

const notAvailable = (reason: NotAvailableReason, extra: Record<string, unknown> = {}) =>
  new DomainError('reward_not_available', notAvailableText[reason], { reason, ...extra });
const outOfStock = () => new DomainError('reward_out_of_stock', 'This reward is out of stock');

function assertAvailable(reward: repo.LockedReward, tierCode: string, at: Date) {
  if (reward.starts_at && at < new Date(reward.starts_at)) throw notAvailable('not_started', { startsAt: new Date(reward.starts_at).toISOString() });
  if (reward.ends_at && at > new Date(reward.ends_at)) throw notAvailable('ended', { endsAt: new Date(reward.ends_at).toISOString() });
  if (reward.tiers && !reward.tiers.includes(tierCode)) throw notAvailable('tier', { tiers: reward.tiers });
}

export interface RedeemInput {
  memberId: string;
  scanToken?: string;
  storeId?: string;
}

/**
 * Spends the member's points on the reward: a staff member or POS key (a cashier or POS key with a
 * fresh scan of the member at this store; owners and admins without one, audit-logged), or the
 * member in the app (principal kind member, redeeming for themself).
 */
export async function redeemReward(db: Db, principal: Principal, secretKey: Buffer, rewardId: string, input: RedeemInput) {
  const storeId = effectiveStoreId(principal, input.storeId);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    if (storeId) await requireStore(trx, tenantId, storeId, 'body.storeId');
    const member = await repo.memberStanding(trx, tenantId, input.memberId);
    if (!member) throw invalidField('body.memberId', 'No such member');
    if (member.status !== 'active') throw invalidField('body.memberId', 'This member is blocked');

    const account = await lockAccount(trx, tenantId, member.id);
    await assertMemberPresent(trx, principal, secretKey, { memberId: member.id, storeId, scanToken: input.scanToken, action: 'reward.redeem' });
    const reward = await repo.lockReward(trx, tenantId, rewardId);
    if (!reward || reward.status !== 'active') throw notFound('Reward');
    const now = new Date();
    assertAvailable(reward, member.tier_code, now);
    if (reward.per_member_limit !== null && (await repo.standingRedemptions(trx, tenantId, reward.id, member.id)) >= reward.per_member_limit) {
      throw new DomainError('reward_limit_reached', `This member has redeemed this reward ${reward.per_member_limit} times, the most allowed`, {
        perMemberLimit: reward.per_member_limit,
      });
    }
    if (reward.stock === 0) throw outOfStock();

    await debit(trx, tenantId, account, { kind: 'redeem', points: reward.points_cost, reference: reward.name, actor: actorOf(principal) });
    if (reward.stock !== null && !(await repo.takeFromStock(trx, tenantId, reward.id))) throw outOfStock();
    const voucher = reward.voucher
      ? await issuePersonalVoucher(trx, await getTenant(trx, tenantId), { origin: 'reward', id: reward.id, name: reward.name }, reward.voucher as unknown as RewardVoucherTerms, member.id, now)
      : null;
    const id = newId();
    await repo.insertRedemption(trx, {
      tenant_id: tenantId, id, reward_id: reward.id, member_id: member.id, points: reward.points_cost, voucher_id: voucher?.id ?? null,
      store_id: storeId, ...actorOf(principal),
    });
    const redemption = toRedemptionView((await repo.findRedemption(trx, tenantId, id))!);
    await enqueueWebhookEvent(trx, tenantId, 'reward.redeemed', rewardRedeemedData(redemption));
    return { ...redemption, points: balancesOf(account) };
  });
}

/**
 * A physical reward given to the member at a store: once; repeating the call changes nothing. A
 * cashier or POS key needs a fresh scan of the member at this store (the item goes to the member).
 */
export async function handOverReward(db: Db, principal: Principal, secretKey: Buffer, id: string, input: { scanToken?: string; storeId?: string }) {
  const storeId = effectiveStoreId(principal, input.storeId);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    if (storeId) await requireStore(trx, tenantId, storeId, 'body.storeId');
    const row = await repo.lockRedemption(trx, tenantId, id);
    if (!row) throw notFound('Reward redemption');
    if (row.voucher_id) throw new DomainError('conflict', 'This reward was a voucher: there is nothing to hand over');
    if (row.status === 'cancelled') throw new DomainError('conflict', 'This redemption was cancelled');
    if (row.status === 'issued') {
      await assertMemberPresent(trx, principal, secretKey, { memberId: row.member_id, storeId, scanToken: input.scanToken, action: 'reward.hand_over' });
      await repo.setRedemptionStatus(trx, tenantId, id, 'handed_over');
      await recordAudit(trx, principal, { action: 'reward_redemption.handed_over', targetType: 'reward_redemption', targetId: id, details: { storeId } });
    }
    return toRedemptionView((await repo.findRedemption(trx, tenantId, id))!);
  });
}

/**
 * Undoes a redemption (owners and admins): the points come back as a 'return' entry (a new lot
 * that expires by the tenant's policy from now), the unit goes back to stock, and the voucher is
 * cancelled. A voucher already used, or an item handed over, cannot be undone: 409. Repeating the
 * call changes nothing.
 */
export async function cancelRewardRedemption(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const found = await repo.findRedemption(trx, tenantId, id);
    if (!found) throw notFound('Reward redemption');
    const account = await lockAccount(trx, tenantId, found.member_id);
    await repo.lockReward(trx, tenantId, found.reward_id);
    const row = (await repo.lockRedemption(trx, tenantId, id))!;
    if (row.status === 'handed_over') throw new DomainError('conflict', 'The item was handed over; a redemption handed over cannot be cancelled');
    if (row.status === 'issued') {
      if (row.voucher_id) await cancelRewardVoucher(trx, tenantId, row.voucher_id);
      await repo.setRedemptionStatus(trx, tenantId, id, 'cancelled');
      await repo.returnToStock(trx, tenantId, row.reward_id);
      const tenant = await getTenant(trx, tenantId);
      await credit(
        trx, tenantId, account,
        { kind: 'return', points: row.points, reference: found.reward_name, note: 'Reward redemption cancelled', actor: actorOf(principal) },
        { expiresAt: expiresAt(new Date(), policyOf(tenant)) },
      );
      await recordAudit(trx, principal, {
        action: 'reward_redemption.cancelled', targetType: 'reward_redemption', targetId: id,
        details: { rewardId: row.reward_id, memberId: row.member_id, points: row.points },
      });
    }
    return { ...toRedemptionView((await repo.findRedemption(trx, tenantId, id))!), points: balancesOf(account) };
  });
}

/** The member's redemptions, newest first. */
export async function redemptionsOfMember(db: Db, tenantId: string, memberId: string, cursor?: string, limit = 50) {
  if (!(await repo.memberStanding(db, tenantId, memberId))) throw notFound('Member');
  const { page, nextCursor } = pageOf(await repo.redemptionsOfMember(db, tenantId, memberId, limit, cursor), limit);
  return { items: page.map(toRedemptionView), nextCursor };
}
