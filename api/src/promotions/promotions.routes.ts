import { z } from 'zod';
import { CartSchema, EvaluationSchema } from '../checkout/checkout.schemas.ts';
import { unknownCodes } from '../checkout/checkout.service.ts';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant, page } from '../http/schemas.ts';
import { PromotionBody, PromotionFields } from './promotion-schema.ts';
import { PromotionSchema } from './promotions.mapper.ts';
import { changePromotionStatus, createPromotion, getPromotion, listPromotions, previewPromotions, updatePromotion } from './promotions.service.ts';
import { checkVoucherGuessLimits } from '../vouchers/voucher-limits.ts';

const tags = ['Rewards, vouchers, promotions, checkout'];

const rules = `
A promotion applies to a sale when the sale's time is within \`startsAt\`…\`endsAt\` (both inclusive), it is
\`active\`, and every condition given holds:

- \`minSpend\`: the goods subtotal (shipping excluded, before discounts) is at least this many minor units.
- \`tiers\` (the tenant's tier codes), \`segments\`, \`firstPurchaseOnly\`: the member's; a guest sale never matches.
  \`segments\` are codes of the tenant's active segments (\`/api/v1/segments\`): the member must be in at least one, evaluated
  in the database at the sale's time; a segment archived later matches no one.
- \`channels\` (\`store\`, \`online\`), \`stores\` (the tenant's store ids), \`regions\` (the shipping region, trimmed and regardless of case).
- \`daysOfWeek\` (1 = Monday … 7 = Sunday) and \`hours\` (\`HH:MM\`, from inclusive, to exclusive; a window past
  midnight counts towards the day it started), on the store's clock, else the tenant's — as earning rules read them.

Effects: \`free_shipping\` (optionally at most \`maxDiscount\` off the fee), \`percent_off\` (\`value\` 1–100, optionally
at most \`maxDiscount\`), \`amount_off\` (\`value\` minor units off the goods), \`bonus_points\` (\`points\` extra, and/or a
\`multiplier\` of the base points, more than 1 and at most 10 in hundredths). Amounts are minor units (IDR: Rp 1 = 100).

Stacking: higher \`priority\` goes first; of the promotions and vouchers sharing an \`exclusivityGroup\` only the
best-ranked applies, and an order gets at most one free-shipping discount. \`POST /api/v1/checkout/evaluate\` documents
the full order.`;

export function promotionRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/promotions',
    summary: 'The tenant’s promotions, newest first',
    description:
      'Owners, admins, marketers and admin API keys (permission `programs.manage`, like every promotion call): ' +
      'promotions are marketing set-up, and tills get them through the checkout evaluation. Filter by `status`.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    query: CursorQuery.extend({
      status: z.enum(['active', 'paused', 'archived']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: { 200: { description: 'Promotions', schema: page(PromotionSchema, 'PromotionPage') } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: await listPromotions(db, principal, { status: query.status }, query.cursor, query.limit),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/promotions',
    summary: 'Create a promotion (free shipping, percent or amount off, bonus points), active at once; audit-logged',
    description: rules,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: PromotionBody,
    idempotency: 'optional',
    responses: { 201: { description: 'Created', schema: PromotionSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createPromotion(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/promotions/{id}',
    summary: 'One promotion',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    responses: { 200: { description: 'The promotion', schema: PromotionSchema }, 404: { description: 'No such promotion' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getPromotion(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/promotions/{id}',
    summary: 'Change a promotion; audit-logged',
    description:
      'Send only the fields that change; `conditions` and `effect` are replaced whole. The promotion that results is ' +
      'validated as a whole (an `endsAt` before the stored `startsAt` is refused at `body.endsAt`). An archived ' +
      'promotion cannot change (409). Status changes go through `/pause`, `/resume` and `/archive`.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: PromotionFields.partial(),
    responses: {
      200: { description: 'Updated', schema: PromotionSchema },
      404: { description: 'No such promotion' },
      409: { description: 'The promotion is archived' },
    },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updatePromotion(db, principal, params.id, body) }),
  });

  const actions = {
    pause: 'Pause a promotion: it stops applying until resumed',
    resume: 'Resume a paused promotion',
    archive: 'Archive a promotion for good: it never applies again and can no longer change',
  } as const;
  for (const [action, summary] of Object.entries(actions) as [keyof typeof actions, string][]) {
    routes.add({
      method: 'post',
      path: `/api/v1/promotions/{id}/${action}`,
      summary,
      description: 'Audit-logged. Repeating the call changes nothing. Pausing or resuming an archived promotion is 409.',
      tags,
      auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
      params: IdParams,
      idempotency: 'optional',
      responses: {
        200: { description: 'The promotion', schema: PromotionSchema },
        404: { description: 'No such promotion' },
        409: { description: 'The promotion is archived' },
      },
      handler: async ({ db, principal, params }) => ({ status: 200, body: await changePromotionStatus(db, principal, params.id, action) }),
    });
  }

  routes.add({
    method: 'post',
    path: '/api/v1/promotions/preview',
    summary: 'Price a cart as checkout would, for the promotion builder (nothing is posted)',
    description:
      'The same evaluation as `POST /api/v1/checkout/evaluate`, for those who configure programs rather than sell: ' +
      'only active promotions live at `occurredAt` (default now) count. With `draft` (a promotion as `POST /api/v1/promotions` ' +
      'takes it), the draft takes part together with the live promotions as if it were saved and active (its own window and ' +
      'conditions still hold), with id `draft` in `discounts` and `applied` — or, with `replaces`, instead of that saved ' +
      'promotion and under its id, as an edit of it would. Nothing is saved. `voucherCodes` count against the guessing limits as at checkout.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: CartSchema.extend({
      memberId: z.uuid().optional().meta({ description: 'Preview as this member (tier, first purchase)' }),
      occurredAt: Instant.optional().meta({ description: 'Preview at this time, e.g. during a campaign still to come' }),
      voucherCodes: z.array(z.string().trim().min(1).max(64)).max(10).optional(),
      draft: PromotionBody.optional().meta({ description: 'The promotion being edited, not saved: priced as if it were live' }),
      replaces: z.uuid().optional().meta({ description: 'The saved promotion `draft` is an edit of: left out of the preview' }),
    }),
    responses: { 200: { description: 'The evaluation', schema: EvaluationSchema }, 429: { description: 'Too many unknown voucher codes; see Retry-After' } },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const evaluation = await previewPromotions(db, principal, body);
      await checkVoucherGuessLimits(deps.limits, { ip: ctx.ip, principal, memberId: body.memberId }, unknownCodes(evaluation));
      return { status: 200, body: evaluation };
    },
  });
}
