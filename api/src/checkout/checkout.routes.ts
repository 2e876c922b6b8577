import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CartSchema, EvaluationSchema } from './checkout.schemas.ts';
import { evaluateCheckout } from './checkout.service.ts';

export function checkoutRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/checkout/evaluate',
    summary: 'Price a cart and the points it earns, exactly as posting it would; changes nothing',
    tags: ['Rewards, vouchers, promotions, checkout'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    body: CartSchema.extend({
      memberId: z.uuid().optional(),
      voucherCodes: z.array(z.string().max(64)).max(10).optional(),
      pointsToRedeem: z.number().int().min(0).max(1e12).optional(),
    }),
    responses: { 200: { description: 'The evaluation', schema: EvaluationSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await evaluateCheckout(db, principal, body) }),
  });
}
