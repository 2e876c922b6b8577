import { z } from 'zod';
import { matches } from '../branding/branding.routes.ts';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { MAX_REWARD_IMAGE_BYTES, MAX_REWARD_IMAGE_SIDE, MIN_REWARD_IMAGE_SIDE } from './reward-image.ts';
import { cancelRewardRedemption, handOverReward, redeemReward, redemptionsOfMember } from './reward-redemptions.service.ts';
import { RewardBody, RewardPatch } from './reward-schema.ts';
import { RedeemedSchema, RewardRedemptionPage, RewardRedemptionSchema, RewardSchema } from './rewards.mapper.ts';
import { archiveReward, createReward, getReward, listRewards, publicRewardImage, removeRewardImage, updateReward, uploadRewardImage } from './rewards.service.ts';

const tags = ['Rewards, vouchers, promotions, checkout'];

export const redemptionRules = `
Checked in one transaction, under the member's point account lock and then the reward's row lock:
the reward is active (archived or unknown → 404), the time is within \`startsAt\`…\`endsAt\` (both inclusive)
and the member's current tier is in \`tiers\` (else 409 \`reward_not_available\` with \`reason\`
\`not_started\`, \`ended\` or \`tier\`), the member's redemptions that stand are fewer than \`perMemberLimit\`
(409 \`reward_limit_reached\`), a unit is left (409 \`reward_out_of_stock\`) and the spendable balance covers
\`pointsCost\` (409 \`insufficient_points\` with \`balance\`). Then the points are debited (a \`redeem\` entry whose
reference is the reward's name), one unit leaves the stock, and a voucher reward issues one single-use code
for this member alone (valid until the end of the local day \`validDays\` after today, in the retailer's time zone).
Any refusal changes nothing; under any concurrency stock is never oversold and points are never debited without
the voucher.`;

const RedemptionParams = z.object({ id: z.uuid().meta({ description: 'The reward redemption' }) });

export function rewardRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/rewards',
    summary: 'The rewards catalog, newest first',
    description: 'For the portal and the till (`members.read`). Filter by `status`.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({
      status: z.enum(['active', 'archived']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: { 200: { description: 'Rewards', schema: page(RewardSchema, 'RewardPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await listRewards(db, principal, { status: query.status }, query.cursor, query.limit) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/rewards',
    summary: 'Add a reward to the catalog (a voucher or a physical item for points), active at once; audit-logged',
    description:
      '`fulfilment` voucher needs `voucher` (its `kind` as voucher batches: `amount` needs `value`; `percent` needs `value` 1–100 and ' +
      'takes `maxDiscount`; `free_shipping` takes `maxDiscount`; `free_item` needs `sku`; `validDays` 1–365); physical takes none. ' +
      '`tiers` are the retailer’s tier codes. `stock` absent: unlimited. Every wrong field is named in `errors`.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: RewardBody,
    idempotency: 'optional',
    responses: { 201: { description: 'Created', schema: RewardSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createReward(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/rewards/{id}',
    summary: 'One reward',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The reward', schema: RewardSchema }, 404: { description: 'No such reward' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getReward(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/rewards/{id}',
    summary: 'Change a reward; audit-logged',
    description:
      'Send only the fields that change (null clears an optional one); `voucher` is replaced whole. The reward that results is ' +
      'validated as a whole. `stock` sets the units left; `addStock` adds to them without losing units taken meanwhile. With ' +
      '`expectedStock` either applies only while the units left are still those: otherwise 409 with the current `stock`, so a retried ' +
      '`addStock` cannot add twice. ' +
      'Redemptions already made keep the points they cost and their vouchers keep their terms. An archived reward cannot change (409).',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: RewardPatch,
    responses: {
      200: { description: 'Updated', schema: RewardSchema },
      404: { description: 'No such reward' },
      409: { description: 'The reward is archived, or the stock is not `expectedStock`' },
    },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateReward(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/rewards/{id}/archive',
    summary: 'Archive a reward: it leaves the catalog for good; audit-logged',
    description: 'Repeating the call changes nothing. Redemptions made stay, and their vouchers stay valid.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    idempotency: 'optional',
    responses: { 200: { description: 'The reward', schema: RewardSchema }, 404: { description: 'No such reward' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await archiveReward(db, principal, params.id) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/rewards/{id}/image',
    summary: 'Upload the reward’s picture (PNG, JPEG or WebP as a data URL); audit-logged',
    description:
      `\`image\` is a data URL (\`data:image/png;base64,…\`). The type is read from the bytes, not the declared type: PNG, JPEG or WebP, at most ${MAX_REWARD_IMAGE_BYTES / 1024} KiB, ` +
      `at least ${MIN_REWARD_IMAGE_SIDE} px on the short side and at most ${MAX_REWARD_IMAGE_SIDE} px on each side; anything else is refused with 400 naming \`body.image\`.`,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: z.object({ image: z.string().min(1).meta({ description: 'A data URL: data:image/webp;base64,…' }) }),
    responses: { 200: { description: 'The reward with its new imageUrl', schema: RewardSchema }, 404: { description: 'No such reward' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await uploadRewardImage(db, principal, params.id, body.image) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/rewards/{id}/image',
    summary: 'Remove the reward’s picture; audit-logged',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    responses: { 204: { description: 'Removed (or there was none)' }, 404: { description: 'No such reward' } },
    handler: async ({ db, principal, params }) => {
      await removeRewardImage(db, principal, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}/rewards/{id}/image',
    summary: 'A reward’s picture, public (member app)',
    description:
      'The uploaded image with its content type. Cacheable for 5 minutes; send the `ETag` back in `If-None-Match` for a 304. `v` is ignored: ' +
      'the `imageUrl`s the API hands out carry it so a new picture is fetched at once.',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40), id: z.uuid() }),
    query: z.object({ v: z.string().max(40).optional() }),
    responses: {
      200: { description: 'The image', schema: z.string().meta({ format: 'binary' }), contentType: 'image/webp' },
      304: { description: 'Not modified: the If-None-Match ETag is current' },
      404: { description: 'No such retailer, reward or picture' },
    },
    handler: async ({ db, params }, ctx) => {
      const image = await publicRewardImage(db, params.slug, params.id);
      const headers = { ETag: image.etag, 'Cache-Control': 'public, max-age=300' };
      const ifNoneMatch = ctx.get('If-None-Match');
      if (ifNoneMatch && matches(ifNoneMatch, image.etag)) return { status: 304, headers };
      return { status: 200, body: image.bytes, headers: { ...headers, 'Content-Type': image.type } };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/rewards/{id}/redemptions',
    summary: 'Redeem a reward for a member’s points; a cashier or POS key needs a fresh scanToken',
    description:
      'A cashier or `pos` key needs a `scanToken` from a scan of this member at this store within the last 5 minutes (403 ' +
      '`presence_required` otherwise); owners, admins and admin keys may act without one, which is audit-logged.\n' + redemptionRules,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'points.redeem' },
    idempotency: 'required',
    params: IdParams,
    body: z.object({
      memberId: z.uuid(),
      scanToken: z.string().max(300).optional(),
      storeId: z.uuid().optional().meta({ description: 'Where; defaults to the store the cashier or key is bound to' }),
    }),
    responses: {
      201: { description: 'Redeemed: the voucher (for a voucher reward) and the balances afterwards', schema: RedeemedSchema },
      403: { description: 'The caller may not do this, or the member must be present (presence_required)' },
      404: { description: 'No such reward (or archived)' },
      409: { description: 'reward_not_available, reward_limit_reached, reward_out_of_stock or insufficient_points; nothing changed' },
    },
    handler: async ({ db, deps, principal, params, body }) => ({
      status: 201,
      body: await redeemReward(db, principal, deps.config.secretKey, params.id, body),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/rewards/redemptions/{id}/hand-over',
    summary: 'Record that a physical reward was given to the member at a store; audit-logged',
    description:
      'Once: repeating the call changes nothing. A cashier or `pos` key needs a fresh `scanToken` of the member at this store. ' +
      'A voucher reward or a cancelled redemption → 409.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'points.redeem' },
    params: RedemptionParams,
    body: z.object({ scanToken: z.string().max(300).optional(), storeId: z.uuid().optional() }),
    idempotency: 'optional',
    responses: {
      200: { description: 'The redemption, handed over', schema: RewardRedemptionSchema },
      404: { description: 'No such redemption' },
      409: { description: 'A voucher reward, or cancelled' },
    },
    handler: async ({ db, deps, principal, params, body }) => ({
      status: 200,
      body: await handOverReward(db, principal, deps.config.secretKey, params.id, body),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/rewards/redemptions/{id}/cancel',
    summary: 'Cancel a reward redemption: points and stock come back, the voucher is cancelled; owners and admins, audit-logged',
    description:
      'The points come back as a `return` entry (a new lot that expires by the points policy from now). A voucher that was used ' +
      '(its use not given back by voiding the sale) or an item handed over cannot be undone: 409. Repeating the call changes nothing.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'points.adjust' },
    params: RedemptionParams,
    idempotency: 'optional',
    responses: {
      200: { description: 'The cancelled redemption and the member’s balances', schema: RedeemedSchema },
      404: { description: 'No such redemption' },
      409: { description: 'The voucher was used, or the item handed over' },
    },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await cancelRewardRedemption(db, principal, params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/reward-redemptions',
    summary: 'A member’s reward redemptions, newest first (e.g. physical rewards to hand over)',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    query: CursorQuery,
    responses: { 200: { description: 'Redemptions', schema: RewardRedemptionPage }, 404: { description: 'No such member' } },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await redemptionsOfMember(db, principal.tenantId, params.id, query.cursor) }),
  });
}
