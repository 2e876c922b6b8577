import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams } from '../http/schemas.ts';
import { MAX_MEMBER_VOUCHERS, memberCatalog, memberVouchers } from './member-rewards.service.ts';
import { redeemReward, redemptionsOfMember } from './reward-redemptions.service.ts';
import { MemberRewardPageSchema, MemberVoucherSchema, RedeemedSchema, RewardRedemptionPage } from './rewards.mapper.ts';
import { redemptionRules } from './rewards.routes.ts';

const tags = ['Member app'];

export function memberRewardRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/me/rewards',
    summary: 'The rewards the signed-in member can redeem now, newest first',
    description:
      'Active rewards whose window contains now and that the member’s tier may see, with `affordable` (the balance covers the cost), ' +
      '`remaining` stock (0: sold out) and whether the member reached the per-member limit. ' +
      '`redeemableNow` counts the rewards the member can redeem now over the whole catalog, not only this page.',
    tags,
    auth: { principals: ['member'] },
    query: CursorQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
    responses: { 200: { description: 'Rewards', schema: MemberRewardPageSchema } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await memberCatalog(db, principal.tenantId, principal.id, query.cursor, query.limit) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/me/rewards/{id}/redemptions',
    summary: 'The signed-in member redeems a reward for their own points',
    description: 'No scan is needed: the member is the caller.\n' + redemptionRules,
    tags,
    auth: { principals: ['member'] },
    idempotency: 'required',
    params: IdParams,
    responses: {
      201: { description: 'Redeemed: the voucher (for a voucher reward) and the balances afterwards', schema: RedeemedSchema },
      404: { description: 'No such reward (or archived)' },
      409: { description: 'reward_not_available, reward_limit_reached, reward_out_of_stock or insufficient_points; nothing changed' },
    },
    handler: async ({ db, deps, principal, params }) => ({
      status: 201,
      body: await redeemReward(db, principal, deps.config.secretKey, params.id, { memberId: principal.id }),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/reward-redemptions',
    summary: 'The signed-in member’s reward redemptions, newest first (physical rewards to collect, vouchers received)',
    tags,
    auth: { principals: ['member'] },
    query: CursorQuery,
    responses: { 200: { description: 'Redemptions', schema: RewardRedemptionPage } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await redemptionsOfMember(db, principal.tenantId, principal.id, query.cursor) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/vouchers',
    summary: 'The signed-in member’s own voucher codes that can still be used, the soonest to expire first',
    description:
      `Personal codes (from rewards and personal batches) with uses left, not expired, whose batch is active; at most ${MAX_MEMBER_VOUCHERS}. ` +
      'Codes not valid yet are included with their `startsAt`. Show `code` as a QR and as text; `minSpend` and `expiresAt` say what each needs.',
    tags,
    auth: { principals: ['member'] },
    responses: { 200: { description: 'Vouchers', schema: z.object({ items: z.array(MemberVoucherSchema) }).meta({ id: 'MemberVoucherList' }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: await memberVouchers(db, principal.tenantId, principal.id) }),
  });
}
