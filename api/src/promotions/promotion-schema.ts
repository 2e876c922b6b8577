// Validation of a promotion as the API receives it. The engine (promotion-engine.ts) trusts these
// shapes; whatever a marketer can get wrong is refused here, naming the field. The date/time
// pieces are earning rules' own (one meaning of "daysOfWeek" and "hours" across the product).
// Unknown keys are refused: a misspelt condition would otherwise silently widen a campaign.
// Whether tiers, stores and segments are the tenant's own is checked by the service (it needs the database).

import { z } from 'zod';
import { Code, MAX_MINOR, MAX_POINTS, nonEmptyList, RuleConditionsSchema } from '../earning/rule-schema.ts';
import { Instant } from '../http/schemas.ts';
import { regionKey } from './promotion-conditions.ts';

const ruleConditions = RuleConditionsSchema.shape;

const PositiveMinor = z.number().int('Must be whole minor units').min(1, 'Must be more than 0').max(MAX_MINOR, 'Too large');
const MaxDiscount = PositiveMinor.meta({ description: 'The most this discount gives, in minor units' });

export const PromotionConditionsSchema = z
  .strictObject({
    minSpend: PositiveMinor.optional().meta({ description: 'Minor units, compared (inclusively) with the goods subtotal; shipping is not counted' }),
    tiers: ruleConditions.tiers.meta({ description: 'Tier codes of this tenant; a guest never matches' }),
    segments: nonEmptyList(Code, 'segment', 100)
      .optional()
      .meta({ description: 'Codes of the tenant’s active segments (`/api/v1/segments`); the member must be in at least one at the sale’s time. A segment archived later matches no one' }),
    channels: ruleConditions.channels,
    regions: nonEmptyList(Code, 'region', 50, regionKey)
      .optional()
      .meta({ description: 'Shipping regions, compared with `shipping.region` trimmed and regardless of case; a sale without a region never matches' }),
    stores: ruleConditions.stores.meta({ description: 'Store ids of this tenant; a sale without a store never matches' }),
    firstPurchaseOnly: z.boolean('Must be true or false').optional().meta({ description: 'Only the member’s first purchase; a guest never matches' }),
    daysOfWeek: ruleConditions.daysOfWeek,
    hours: ruleConditions.hours,
  })
  .meta({ id: 'PromotionConditions', description: 'Every condition given must hold; leave one out to not restrict by it' });

export const PromotionEffectSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('free_shipping'), maxDiscount: MaxDiscount.optional() }),
      z.strictObject({
        type: z.literal('percent_off'),
        value: z.number().int('Whole percent').min(1, 'From 1 to 100').max(100, 'From 1 to 100').meta({ description: '20 means 20% off the goods' }),
        maxDiscount: MaxDiscount.optional(),
      }),
      z.strictObject({ type: z.literal('amount_off'), value: PositiveMinor.meta({ description: 'Minor units off the goods' }) }),
      z
        .strictObject({
          type: z.literal('bonus_points'),
          points: z.number().int('Points are whole numbers').min(1, 'Must be at least 1 point').max(MAX_POINTS, 'Too many points').optional()
            .meta({ description: 'Extra points on the sale' }),
          multiplier: z
            .number()
            .gt(1, 'Must be more than 1')
            .lte(10, 'Must be at most 10')
            .refine((m) => Math.abs(m * 100 - Math.round(m * 100)) < 1e-6, 'At most two decimals (e.g. 1.25)')
            .optional()
            .meta({ description: 'Adds base points × (multiplier − 1), like an earning multiplier', example: 2 }),
        })
        .refine((e) => e.points !== undefined || e.multiplier !== undefined, { message: 'Give points, multiplier or both', path: ['points'] }),
    ],
    { error: 'type must be free_shipping, percent_off, amount_off or bonus_points' },
  )
  .meta({ id: 'PromotionEffect' });

/** The fields of a promotion; `PromotionBody` adds the checks across fields. */
export const PromotionFields = z.strictObject({
  name: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  startsAt: Instant.meta({ description: 'Inclusive instant' }),
  endsAt: Instant.meta({ description: 'Inclusive instant, not before startsAt' }),
  priority: z.number().int('Whole number').min(-1000, 'From -1000 to 1000').max(1000, 'From -1000 to 1000').optional()
    .meta({ description: 'Higher goes first and wins its exclusivity group; default 0' }),
  exclusivityGroup: z.string().trim().min(1, 'Must not be empty').max(64, 'At most 64 characters').nullable().optional()
    .meta({ description: 'Promotions and vouchers sharing a group do not stack: only the best-ranked one applies' }),
  conditions: PromotionConditionsSchema.optional(),
  effect: PromotionEffectSchema,
});

const windowInOrder = (p: { startsAt?: string; endsAt?: string }) =>
  p.startsAt === undefined || p.endsAt === undefined || Date.parse(p.endsAt) >= Date.parse(p.startsAt);

export const PromotionBody = PromotionFields.refine(windowInOrder, { message: 'Must not be before startsAt', path: ['endsAt'] });

export type PromotionInput = z.infer<typeof PromotionBody>;
export type PromotionPatch = Partial<PromotionInput>;
export type PromotionConditions = z.infer<typeof PromotionConditionsSchema>;
export type PromotionEffect = z.infer<typeof PromotionEffectSchema>;
