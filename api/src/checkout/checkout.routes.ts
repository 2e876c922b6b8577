import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CartSchema, EvaluationSchema } from './checkout.schemas.ts';
import { checkVoucherGuessLimits } from '../vouchers/voucher-limits.ts';
import { ShownOfferSchema } from '../offers/offers.mapper.ts';
import { evaluateCheckout, offersAtCheckout, unknownCodes } from './checkout.service.ts';
import { STACKING_ORDER } from './stacking.ts';

export function checkoutRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/checkout/evaluate',
    summary: 'Price a cart and the points it earns, exactly as posting it would; changes nothing',
    description:
      'Promotions live at the time and vouchers typed in `voucherCodes` are applied in the stacking order below; refused codes come back in `rejected` with a reason. ' +
      'Refuses what posting the cart would: an unknown or blocked member (400 at `body.memberId`), points a guest would spend or more than the goods left ' +
      '(400 at `body.pointsToRedeem`), more points than the member can spend (409 `insufficient_points` with `balance`). ' +
      'Unknown codes count against guessing limits per IP, caller and member (429 when over).\n' +
      STACKING_ORDER,
    tags: ['Rewards, vouchers, promotions, checkout'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    body: CartSchema.extend({
      memberId: z.uuid().optional(),
      voucherCodes: z.array(z.string().trim().min(1).max(64)).max(10).optional(),
      pointsToRedeem: z.number().int().min(0).max(1e12).optional(),
    }),
    responses: {
      200: {
        description: 'The evaluation',
        schema: EvaluationSchema.extend({
          offers: z.array(ShownOfferSchema).meta({
            description: 'For a member: up-sell and cross-sell offers the cart (or the last 90 days of purchases) triggers, at most 3. Not recorded as shown (this call changes nothing): a web shop that shows one reports it with `POST /api/v1/offers/{id}/showings`, which also issues the offer’s voucher.',
          }),
        }).meta({ id: 'CheckoutEvaluationWithOffers' }),
      },
      429: { description: 'Too many unknown voucher codes; see Retry-After' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const evaluation = await evaluateCheckout(db, principal, body);
      await checkVoucherGuessLimits(deps.limits, { ip: ctx.ip, principal, memberId: body.memberId }, unknownCodes(evaluation));
      const offers = body.memberId ? await offersAtCheckout(db, principal.tenantId, body.memberId, body.items) : [];
      return { status: 200, body: { ...evaluation, offers } };
    },
  });
}
