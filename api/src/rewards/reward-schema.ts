// Validation of a reward as the API receives it; whatever a marketer can get wrong is refused here,
// naming the field. The voucher terms follow the voucher batches' rules per kind. Whether the tier
// codes are the tenant's own is checked by the service (it needs the database).

import { z } from 'zod';
import { Code, MAX_MINOR, MAX_POINTS, nonEmptyList } from '../earning/rule-schema.ts';
import { Instant } from '../http/schemas.ts';
import { VoucherKindSchema } from '../vouchers/vouchers.mapper.ts';

export const MAX_STOCK = 1e9;

const PositiveMinor = z.number().int('Must be whole minor units').min(1, 'Must be more than 0').max(MAX_MINOR, 'Too large');

/** Which of value, maxDiscount and sku each kind takes, and which it needs. */
const kindFields = {
  amount: { takes: ['value'], needs: ['value'] },
  percent: { takes: ['value', 'maxDiscount'], needs: ['value'] },
  free_shipping: { takes: ['maxDiscount'], needs: [] },
  free_item: { takes: ['sku'], needs: ['sku'] },
} as const satisfies Record<z.infer<typeof VoucherKindSchema>, { takes: readonly string[]; needs: readonly string[] }>;

export const RewardVoucherSchema = z
  .strictObject({
    kind: VoucherKindSchema,
    value: PositiveMinor.optional().meta({ description: 'amount (required): minor units off; percent (required): 1–100' }),
    maxDiscount: PositiveMinor.optional().meta({ description: 'percent: the most taken off; free_shipping: the most of the shipping fee waived' }),
    sku: z.string().trim().min(1, 'Must not be empty').max(64, 'At most 64 characters').optional().meta({ description: 'free_item (required): the item given free' }),
    minSpend: z.number().int('Must be whole minor units').min(0, 'Must not be negative').max(MAX_MINOR, 'Too large').optional()
      .meta({ description: 'Goods subtotal (minor units, shipping excluded) needed at checkout; default 0' }),
    validDays: z.number().int('Whole days').min(1, 'From 1 to 365 days').max(365, 'From 1 to 365 days')
      .meta({ description: 'The code is valid until the end of the local day validDays days after it is issued (tenant time zone)' }),
  })
  .superRefine((voucher, ctx) => {
    const fields = kindFields[voucher.kind];
    for (const field of ['value', 'maxDiscount', 'sku'] as const) {
      if (voucher[field] !== undefined && !(fields.takes as readonly string[]).includes(field)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `Not used by ${voucher.kind} vouchers` });
      }
    }
    for (const field of fields.needs) {
      if (voucher[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `Required for ${voucher.kind} vouchers` });
    }
    if (voucher.kind === 'percent' && voucher.value !== undefined && voucher.value > 100) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'A percentage from 1 to 100' });
    }
  })
  .meta({ id: 'RewardVoucher', description: 'The voucher a redemption issues: one single-use code for the member' });

/** The fields of a reward; `RewardBody` adds the checks across fields. */
export const RewardFields = z.strictObject({
  name: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  description: z.string().trim().max(2000, 'At most 2000 characters').nullable().optional(),
  pointsCost: z.number().int('Points are whole numbers').min(1, 'At least 1 point').max(MAX_POINTS, 'Too many points'),
  stock: z.number().int('Whole units').min(0, 'Must not be negative').max(MAX_STOCK, 'Too large').nullable().optional()
    .meta({ description: 'Units left; absent or null: unlimited' }),
  perMemberLimit: z.number().int('Whole number').min(1, 'At least 1').max(1e6, 'Too large').nullable().optional()
    .meta({ description: 'Redemptions per member (cancelled ones not counted); null: no limit' }),
  tiers: nonEmptyList(Code, 'tier code', 100).nullable().optional()
    .meta({ description: 'Only members in one of these tiers (the tenant’s tier codes) see and redeem it; null: everyone' }),
  startsAt: Instant.nullable().optional().meta({ description: 'Inclusive; null: from now' }),
  endsAt: Instant.nullable().optional().meta({ description: 'Inclusive, not before startsAt; null: no end' }),
  fulfilment: z.enum(['voucher', 'physical'], 'Must be voucher or physical')
    .meta({ description: 'voucher: a redemption issues a personal voucher code; physical: an item handed over at a store' }),
  voucher: RewardVoucherSchema.nullable().optional().meta({ description: 'Required for fulfilment voucher; not for physical' }),
});

export const RewardBody = RewardFields.superRefine((reward, ctx) => {
  if (reward.fulfilment === 'voucher' && !reward.voucher) ctx.addIssue({ code: 'custom', path: ['voucher'], message: 'Required for voucher rewards' });
  if (reward.fulfilment === 'physical' && reward.voucher) ctx.addIssue({ code: 'custom', path: ['voucher'], message: 'Not used by physical rewards' });
  if (reward.startsAt && reward.endsAt && Date.parse(reward.endsAt) < Date.parse(reward.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'Must not be before startsAt' });
  }
});

export const RewardPatch = RewardFields.partial().extend({
  addStock: z.number().int('Whole units').min(1, 'At least 1').max(MAX_STOCK, 'Too large').optional()
    .meta({ description: 'Units to add to what is left now (a delivery arrived); safe beside concurrent redemptions. Not with stock' }),
  expectedStock: z.number().int('Whole units').min(0, 'Must not be negative').max(MAX_STOCK, 'Too large').nullable().optional()
    .meta({
      description:
        'The units left as the caller last saw them (null: unlimited). When they differ now → 409 with the current `stock` and nothing ' +
        'changes: send it with addStock, and a retry after a lost answer cannot add the units twice',
    }),
});

export type RewardInput = z.infer<typeof RewardBody>;
export type RewardPatchInput = z.infer<typeof RewardPatch>;
export type RewardVoucher = z.infer<typeof RewardVoucherSchema>;
