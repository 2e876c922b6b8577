import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant, Minor, page } from '../http/schemas.ts';
import { VOUCHER_ALPHABET } from './voucher-code.ts';
import { UnknownVoucherError } from './voucher-errors.ts';
import { checkVoucherGuessLimits } from './voucher-limits.ts';
import { cancelRedemption, lookUpVoucher, redeemCode } from './voucher-redemptions.service.ts';
import { ChannelSchema, VoucherBatchDetailSchema, VoucherBatchSchema, VoucherKindSchema, VoucherLookupSchema, VoucherRedemptionSchema } from './vouchers.mapper.ts';
import { batchCodesCsv, createBatch, CSV_COLUMNS, DEFAULT_CODE_LENGTH, getBatch, listBatches, MAX_BATCH, RESERVED_CODES, setBatchStatus, updateBatch } from './vouchers.service.ts';

const TAG = 'Rewards, vouchers, promotions, checkout';
const CodeParams = z.object({ code: z.string().min(1).max(64).meta({ description: 'As typed: case, spaces and hyphens are ignored', example: 'gratis-ongkir' }) });

const BatchBody = z.object({
  name: z.string().trim().min(1).max(200).optional().meta({ description: 'For the portal' }),
  count: z.number().int().min(1).max(MAX_BATCH).meta({ description: 'Codes to generate (1 with `code`)' }),
  kind: VoucherKindSchema,
  value: z.number().int().min(1).max(1e13).optional().meta({ description: 'amount (required): minor units off; percent (required): 1–100' }),
  maxDiscount: Minor.min(1).optional().meta({ description: 'percent: the most taken off; free_shipping: the most of the shipping fee waived' }),
  sku: z.string().trim().min(1).max(64).optional().meta({ description: 'free_item (required): the item given free' }),
  minSpend: Minor.optional().meta({ description: 'Goods subtotal needed at checkout (shipping excluded); default 0' }),
  startsAt: Instant.optional(),
  expiresAt: Instant.meta({ description: 'Inclusive; in the future and after startsAt' }),
  usesPerCode: z.number().int().min(1).max(1e9).nullable().optional()
    .meta({ description: 'Uses of each code (for a public code its total limit); default 1. null: unlimited, e.g. a public code for everyone' }),
  perMemberLimit: z.number().int().min(1).max(1e6).optional()
    .meta({ description: 'Uses of one code by one member (a guest cannot use a code that has one)' }),
  code: z.string().trim().min(4).max(64).regex(/^[0-9A-Za-z -]+$/, 'Letters, digits, spaces and hyphens').optional()
    .meta({
      description: `Makes one public campaign code (then count is 1), e.g. GRATIS-ONGKIR; stored upper case without hyphens. Not ${RESERVED_CODES.join(' or ')} (words of these paths)`,
      example: 'GRATIS-ONGKIR',
    }),
  prefix: z.string().max(8).optional().meta({ description: `0–8 characters of ${VOUCHER_ALPHABET} before the random part` }),
  length: z.number().int().min(6).max(16).optional().meta({ description: `Random characters per code, default ${DEFAULT_CODE_LENGTH}; refused when too short for count` }),
  channels: z.array(ChannelSchema).max(2).optional().meta({ description: 'Absent or empty: every channel' }),
  stores: z.array(z.uuid()).max(500).optional().meta({ description: 'The tenant’s stores; absent or empty: every store' }),
  memberId: z.uuid().optional().meta({ description: 'Personal codes: count codes that only this member can use' }),
  priority: z.number().int().min(-1000).max(1000).optional(),
  exclusivityGroup: z.string().trim().min(1).max(64).optional().meta({
    description: 'Vouchers and promotions sharing a group do not stack: only the best-ranked one applies. Absent: amount and percent vouchers are in `voucher_discount` (one discount voucher per order; give distinct groups to let them stack), other kinds in none',
  }),
});

export function voucherRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/vouchers/batches',
    summary: 'Create a batch of voucher codes, one public campaign code, or personal codes for a member',
    description: [
      'Generated codes are `prefix` + `length` random characters from a cryptographically secure generator, from the alphabet',
      `\`${VOUCHER_ALPHABET}\` (no I, L, O or U), unique in the retailer. The random part must be long enough that the codes fill at`,
      'most one in a million of their space, counting the retailer’s codes of the same prefix and length already there (a length of 10 allows a billion). Codes are matched regardless of case and',
      'hyphens. Up to 1,000,000 codes in one call; download them from `/api/v1/vouchers/batches/{id}/codes.csv`.',
      '`code` makes one public code used by many members: `usesPerCode` is then its total limit (default 1, as for every batch;',
      'send `null` for a code without a total limit), and `perMemberLimit` caps each member. `memberId` makes personal codes only that member can use. A public code already in',
      'use → 409 `voucher_code_taken`. The codes are not written to the audit log.',
    ].join(' '),
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: BatchBody,
    idempotency: 'optional',
    responses: {
      201: { description: 'Created', schema: z.object({ batchId: z.uuid(), count: z.number().int() }).meta({ id: 'VoucherBatchCreated' }) },
      409: { description: 'The public code is in use (voucher_code_taken)' },
    },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createBatch(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/vouchers/batches',
    summary: 'Voucher batches, newest first',
    description: '`query` matches part of the name, ignoring case; `status` filters.',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    query: CursorQuery.extend({ query: z.string().trim().max(100).optional(), status: z.enum(['active', 'disabled']).optional() }),
    responses: { 200: { description: 'A page of batches', schema: page(VoucherBatchSchema, 'VoucherBatchPage') } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: await listBatches(db, principal, { query: query.query || undefined, status: query.status }, query.cursor),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/vouchers/batches/{id}',
    summary: 'A voucher batch with its codes issued and uses so far',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    responses: { 200: { description: 'The batch', schema: VoucherBatchDetailSchema }, 404: { description: 'No such batch' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getBatch(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/vouchers/batches/{id}',
    summary: 'Rename a batch or move its expiry; audit-logged',
    description:
      'Send only what changes: `name` (null clears it) and `expiresAt` (in the future and after the batch’s `startsAt`). Codes issued ' +
      'for rewards, offers and automations expire one by one from the day each was issued, so their batch’s `expiresAt` is refused. ' +
      'The codes and their uses stay; the other terms are fixed once codes are out.',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: z.object({
      name: BatchBody.shape.name.unwrap().nullable().optional(),
      expiresAt: Instant.optional().meta({ description: 'Inclusive; in the future and after startsAt' }),
    }),
    responses: { 200: { description: 'The batch', schema: VoucherBatchSchema }, 404: { description: 'No such batch' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateBatch(db, principal, params.id, body) }),
  });

  for (const [action, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    routes.add({
      method: 'post',
      path: `/api/v1/vouchers/batches/{id}/${action}`,
      summary: action === 'disable'
        ? 'Disable every code of the batch: they are refused (voucher_not_eligible, reason disabled) until enabled'
        : 'Enable a disabled batch again',
      description: 'Audit-logged. Repeating the call changes nothing.',
      tags: [TAG],
      auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
      params: IdParams,
      idempotency: 'optional',
      responses: { 200: { description: 'The batch', schema: VoucherBatchSchema }, 404: { description: 'No such batch' } },
      handler: async ({ db, principal, params }) => ({ status: 200, body: await setBatchStatus(db, principal, params.id, status) }),
    });
  }

  routes.add({
    method: 'get',
    path: '/api/v1/vouchers/batches/{id}/codes.csv',
    summary: `The batch’s codes as CSV (\`${CSV_COLUMNS.join(',')}\`), streamed`,
    description: 'Codes as stored: upper case, no hyphens. `max_uses` and `member_id` are empty when unlimited or not personal; `expires_at` is ISO 8601 in the retailer’s time zone with its offset.',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    responses: {
      200: { description: 'CSV with a header row', schema: z.string(), contentType: 'text/csv' },
      404: { description: 'No such batch' },
    },
    handler: async ({ db, principal, params }) => ({
      status: 200,
      body: await batchCodesCsv(db, principal, params.id),
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="kartu-vouchers-${params.id}.csv"`,
        'Cache-Control': 'no-store',
      },
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/vouchers/{code}',
    summary: 'Look a typed voucher code up: its status, terms, member and latest uses',
    description:
      'For the portal and the till (`members.read`). Unknown codes (another retailer’s too) → 404 and count against the guessing limits per IP and caller: 429 once too many were unknown (see Retry-After). Known codes never count.',
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: CodeParams,
    responses: { 200: { description: 'The voucher', schema: VoucherLookupSchema }, 404: { description: 'No such code' }, 429: { description: 'Too many unknown voucher codes; see Retry-After' } },
    handler: async ({ db, deps, principal, params }, ctx) => {
      const guesser = { ip: ctx.ip, principal };
      await checkVoucherGuessLimits(deps.limits, guesser, 0);
      const found = await lookUpVoucher(db, principal, params.code);
      if (!found) {
        await checkVoucherGuessLimits(deps.limits, guesser, 1);
        throw new UnknownVoucherError();
      }
      return { status: 200, body: found };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/vouchers/{code}/redemptions',
    summary: 'Use a voucher code once, outside Kartu’s checkout',
    description: [
      'For vouchers used where Kartu does not post the sale, e.g. a web shop that priced its cart with `/api/v1/checkout/evaluate`',
      '(sales posted to `/api/v1/transactions` use their `voucherCodes` instead). There is no cart here, so `minSpend` is not checked.',
      'Checked at the time of the call: the validity window (both ends inclusive), `channel` (default store) and store, the member',
      '(a personal code only for its member; a code with a per-member limit only for members), and the uses left. A personal code',
      'used by a cashier or POS key needs a fresh `scanToken` of the member at this store. `memberId` defaults to the sale’s member.',
      'Unknown → 404 (counted against the guessing limits, 429 when over); used up → 409 `voucher_used_up`; expired → 409',
      '`voucher_expired`; not yet valid → 409 `voucher_not_started`; otherwise refused → 409 `voucher_not_eligible` with `reason`',
      '(voided, disabled, other_member, member_required, member_limit, wrong_channel, wrong_store). Nothing changes on a refusal.',
      'A voucher never counts before it was created. With `transactionId` the sale must still stand (a void waits for the use, then gives it back).',
    ].join(' '),
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    params: CodeParams,
    body: z.object({
      memberId: z.uuid().optional(),
      transactionId: z.uuid().optional().meta({ description: 'The Kartu sale the voucher was used on' }),
      scanToken: z.string().max(300).optional(),
      storeId: z.uuid().optional(),
      channel: ChannelSchema.default('store'),
      amount: Minor.optional().meta({ description: 'The discount the voucher gave, for reports; default 0' }),
    }),
    idempotency: 'required',
    responses: {
      201: { description: 'Used', schema: VoucherRedemptionSchema },
      403: { description: 'The caller may not do this, or the member must be present (presence_required)' },
      404: { description: 'No such code' },
      409: { description: 'Used up, expired, not yet valid or not eligible; nothing changed' },
      429: { description: 'Too many unknown voucher codes; see Retry-After' },
    },
    handler: async ({ db, deps, principal, params, body }, ctx) => {
      const guesser = { ip: ctx.ip, principal, memberId: body.memberId };
      await checkVoucherGuessLimits(deps.limits, guesser, 0);
      try {
        return { status: 201, body: await redeemCode(db, principal, deps.config.secretKey, params.code, body) };
      } catch (error) {
        if (error instanceof UnknownVoucherError) await checkVoucherGuessLimits(deps.limits, guesser, 1);
        throw error;
      }
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/vouchers/redemptions/{id}/cancel',
    summary: 'Give a voucher use back (the order it was for was cancelled)',
    description: [
      'Audit-logged; repeating the call changes nothing. A use on a Kartu sale that still stands → 409: void the sale instead, which gives its vouchers back.',
      'Owners, admins and admin keys may cancel any use; cashiers and POS keys only a use of today (the store’s local day, else the retailer’s)',
      'made at their own store, else 403.',
    ].join(' '),
    tags: [TAG],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    params: IdParams,
    idempotency: 'optional',
    responses: {
      200: { description: 'The cancelled redemption', schema: VoucherRedemptionSchema },
      404: { description: 'No such redemption' },
      409: { description: 'The use belongs to a sale that still stands' },
    },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await cancelRedemption(db, principal, params.id) }),
  });
}
