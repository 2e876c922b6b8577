import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant, Minor, page } from '../http/schemas.ts';
import { PostedSaleSchema, TransactionSchema } from './transactions.mapper.ts';
import { Balances } from '../members/members.mapper.ts';
import { claimSale } from './claims.service.ts';
import { refundSale, voidSale } from './refunds.service.ts';
import { BreakdownSchema } from './transactions.mapper.ts';
import { findTransactions, getTransaction, postSale } from './transactions.service.ts';
import { unknownCodes } from '../checkout/checkout.service.ts';
import { STACKING_ORDER } from '../checkout/stacking.ts';
import { DomainError } from '../shared/errors.ts';
import { checkVoucherGuessLimits } from '../vouchers/voucher-limits.ts';

const Item = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  quantity: z.number().int().positive().max(100_000),
  unitPrice: Minor,
});

export function transactionRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/transactions',
    summary: 'Post a sale: earn (and optionally spend) points; a receipt number posts once per store',
    description:
      'The sale is priced exactly as `POST /api/v1/checkout/evaluate` prices the same cart, and its vouchers are used in the same ' +
      'transaction. A receipt number posted already → 409 `duplicate_receipt` with the existing `transactionId`, whatever else changed. ' +
      'Refused voucher codes: without `expectedTotal` the sale is refused, 409 `voucher_rejected` with `rejected: [{code, reason}]` and ' +
      'each code at `body.voucherCodes.<i>`. With `expectedTotal` (the total the evaluation showed, which left the refused codes out too) ' +
      'the sale posts when the total is still that: the refused codes are not used, and come back in `rejected`. A total that differs ' +
      '→ 409 `checkout_changed` with the new `total` and `rejected`. In every refusal nothing is posted, spent or used.\n' +
      STACKING_ORDER,
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    idempotency: 'required',
    body: z.object({
      memberId: z.uuid().optional(),
      scanToken: z.string().max(300).optional(),
      storeId: z.uuid().optional(),
      receiptNo: z.string().trim().min(1).max(64),
      occurredAt: Instant.optional(),
      channel: z.enum(['store', 'online']).default('store'),
      items: z.array(Item).min(1).max(500),
      shipping: z.object({ fee: Minor, region: z.string().max(100).optional() }).optional(),
      voucherCodes: z.array(z.string().trim().min(1).max(64)).max(10).optional(),
      pointsToRedeem: z.number().int().min(0).max(1e12).optional(),
      expectedTotal: Minor.optional(),
    }),
    responses: {
      201: { description: 'Posted', schema: PostedSaleSchema },
      409: { description: 'Receipt already posted (body has `transactionId`), not enough points, `checkout_changed` (body has `total` and `rejected`), or `voucher_rejected` without `expectedTotal` (body has `rejected: [{code, reason}]`); nothing is posted' },
      429: { description: 'Too many unknown voucher codes; see Retry-After; nothing is posted' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const guesser = { ip: ctx.ip, principal, memberId: body.memberId };
      if (body.voucherCodes?.length) await checkVoucherGuessLimits(deps.limits, guesser, 0);
      try {
        const sale = await postSale(db, principal, deps.config, body);
        // Unknown codes on a sale that posts count too; over a limit, the sale is rolled back (429).
        if (body.voucherCodes?.length) await checkVoucherGuessLimits(deps.limits, guesser, unknownCodes(sale));
        return { status: 201, body: sale };
      } catch (error) {
        if (error instanceof DomainError && (error.code === 'voucher_rejected' || error.code === 'checkout_changed')) {
          await checkVoucherGuessLimits(deps.limits, guesser, unknownCodes(error.extra as { rejected: { reason: string }[] }));
        }
        throw error;
      }
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/transactions',
    summary: 'Find sales, e.g. by store and receipt number',
    description: 'A caller bound to a store (a till’s API key, a store’s staff member) finds that store’s sales only; another `storeId` is 403.',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ storeId: z.uuid().optional(), receiptNo: z.string().max(64).optional(), memberId: z.uuid().optional() }),
    responses: { 200: { description: 'Sales, newest first', schema: page(TransactionSchema, 'TransactionPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await findTransactions(db, principal, query, query.cursor) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/transactions/{id}',
    summary: 'One sale with its lines',
    description: 'A caller bound to a store gets 403 for another store’s sale.',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The sale', schema: TransactionSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getTransaction(db, principal, params.id) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/transactions/{id}/refunds',
    summary: 'Refund lines (absent: everything not refunded yet); reverses their points and returns spent points in proportion',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    idempotency: 'required',
    params: IdParams,
    body: z.object({
      lines: z.array(z.object({ lineId: z.uuid(), quantity: z.number().int().positive().max(100_000) })).min(1).max(500)
        .superRefine((lines, ctx) => {
          const seen = new Set<string>();
          for (const [i, line] of lines.entries()) {
            if (seen.has(line.lineId)) {
              ctx.addIssue({ code: 'custom', path: [i, 'lineId'], message: 'Name each line once, with the quantity to refund' });
              return;
            }
            seen.add(line.lineId);
          }
        })
        .optional(),
    }),
    responses: {
      201: {
        description: 'Refunded',
        schema: z.object({
          id: z.uuid(),
          amount: z.number().int().meta({ description: 'What was paid for the refunded goods: their amount less their share of the discounts' }),
          pointsReversed: z.number().int().meta({ description: 'Taken back, including what became debt' }),
          pointsForgiven: z.number().int().meta({ description: 'Of the sale’s points that had expired: neither reversed nor owed' }),
          pointsReturned: z.number().int(),
          debtAdded: z.number().int(),
          vouchersReturned: z.number().int().meta({ description: 'Voucher uses given back: only when the refund leaves nothing of the sale' }),
          points: z.union([Balances, z.null()]),
        }).meta({ id: 'Refund' }),
      },
      409: { description: 'Nothing left to refund, more than is left, or a voided sale' },
    },
    handler: async ({ db, principal, params, body }) => ({ status: 201, body: await refundSale(db, principal, params.id, body.lines) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/transactions/{id}/void',
    summary: 'Undo a sale of today with nothing refunded: its points reversed, spent points returned',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    idempotency: 'required',
    params: IdParams,
    responses: {
      200: {
        description: 'Voided',
        schema: z.object({
          id: z.uuid(), status: z.literal('voided'), pointsReversed: z.number().int(), pointsReturned: z.number().int(),
          vouchersReturned: z.number().int().meta({ description: 'Voucher uses given back' }), points: z.union([Balances, z.null()]),
        }),
      },
      409: { description: 'Not of today, partly refunded, or voided already' },
    },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await voidSale(db, principal, params.id) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/claims',
    summary: '"I forgot my card": attach a guest sale of the last 30 days to the member and earn its points once',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    idempotency: 'required',
    params: IdParams,
    body: z.object({ storeId: z.uuid().optional(), receiptNo: z.string().trim().min(1).max(64) }),
    responses: {
      201: {
        description: 'Claimed',
        schema: z.object({ transactionId: z.uuid(), pointsEarned: z.number().int(), breakdown: BreakdownSchema, points: Balances }),
      },
      409: { description: 'Claimed already, another member’s, older than 30 days, or refunded' },
    },
    handler: async ({ db, principal, params, body }) => ({ status: 201, body: await claimSale(db, principal, params.id, body) }),
  });
}
