// Validation of an earning rule's `conditions` and `effect` as the API receives them. The engine
// (earning-engine.ts) trusts these shapes; everything a marketer can get wrong is rejected here with
// a message that says what to do. Unknown keys are rejected too: a misspelt condition
// ("dayOfWeek") would otherwise silently widen a campaign to every day.

import { z } from 'zod';
import { Instant } from '../http/schemas.ts';
import type { RuleConditions, RuleEffect } from './earning-engine.ts';
import { minutesOf } from './rule-conditions.ts';

export const MAX_MINOR = 1e13;
export const MAX_POINTS = 1e9;

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Must be HH:MM between 00:00 and 23:59');

/** `keyOf` says when two items are the same (default: equal values). */
export const nonEmptyList = <T extends z.ZodType>(item: T, what: string, max: number, keyOf: (value: z.output<T>) => unknown = (value) => value) =>
  z
    .array(item)
    .min(1, `List at least one ${what}, or leave the condition out`)
    .max(max, `At most ${max} ${what}s`)
    .refine((list) => new Set(list.map(keyOf)).size === list.length, `Each ${what} may appear only once`);

export const Code = z.string().trim().min(1, 'Must not be empty').max(100, 'At most 100 characters');

export const RuleConditionsSchema = z
  .strictObject({
    startsAt: Instant.optional().meta({ description: 'Inclusive instant' }),
    endsAt: Instant.optional().meta({ description: 'Inclusive instant' }),
    daysOfWeek: nonEmptyList(
      z.number().int('Days are whole numbers').min(1, 'Days run from 1 (Monday) to 7 (Sunday)').max(7, 'Days run from 1 (Monday) to 7 (Sunday)'),
      'day',
      7,
    )
      .optional()
      .meta({ description: '1 = Monday … 7 = Sunday, in the store’s time zone (else the tenant’s)' }),
    hours: z
      .strictObject({ from: HhMm.meta({ example: '10:00' }), to: HhMm.meta({ example: '14:00' }) })
      .refine((h) => minutesOf(h.from) !== minutesOf(h.to), { message: 'from and to must differ (leave hours out for all day)', path: ['to'] })
      .optional()
      .meta({ description: 'Local time, from inclusive, to exclusive; from later than to wraps midnight and counts towards the day it started' }),
    stores: nonEmptyList(z.uuid('Must be a store id'), 'store', 1000).optional(),
    channels: nonEmptyList(z.enum(['store', 'online'], 'Must be store or online'), 'channel', 2).optional(),
    tiers: nonEmptyList(Code, 'tier code', 100).optional(),
    minSpend: z
      .number()
      .int('Must be whole minor units')
      .min(0, 'Must not be negative')
      .max(MAX_MINOR, 'Too large')
      .optional()
      .meta({ description: 'Minor units, compared (inclusively) with the sum of the matching lines' }),
    skus: nonEmptyList(Code, 'sku', 1000).optional(),
    categories: nonEmptyList(Code, 'category', 1000).optional().meta({ description: 'A line matches when its sku is in skus or its category is in categories' }),
  })
  .superRefine((c, ctx) => {
    if (c.startsAt && c.endsAt && Date.parse(c.endsAt) < Date.parse(c.startsAt)) {
      ctx.addIssue({ code: 'custom', message: 'Must not be before startsAt', path: ['endsAt'] });
    }
  })
  .meta({ id: 'EarningRuleConditions' });

const Rounding = z.enum(['floor', 'round', 'ceil'], 'Must be floor, round or ceil');
const RulePoints = z.number().int('Points are whole numbers').min(1, 'Must be at least 1 point').max(MAX_POINTS, 'Too many points');
const Limit = z.number().int('Points are whole numbers').min(0, 'Must not be negative').max(MAX_POINTS, 'Too many points');

export const RuleEffectSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('base'),
        spendPerPoint: z
          .number()
          .int('Must be whole minor units')
          .min(1, 'Must be at least 1 minor unit')
          .max(MAX_MINOR, 'Too large')
          .meta({ description: 'Minor units of spend per point (1 point per Rp 10.000 = 1000000)' }),
        rounding: Rounding,
      }),
      z.strictObject({
        type: z.literal('multiplier'),
        multiplier: z
          .number()
          .gt(1, 'Must be more than 1')
          .lte(10, 'Must be at most 10')
          .refine((m) => Math.abs(m * 100 - Math.round(m * 100)) < 1e-6, 'At most two decimals (e.g. 1.25)')
          .meta({ description: 'Extra points = base points of the matching lines × (multiplier − 1)', example: 2 }),
      }),
      z.strictObject({ type: z.literal('bonus'), points: RulePoints, per: z.enum(['transaction', 'line', 'unit'], 'Must be transaction, line or unit') }),
      z.strictObject({ type: z.literal('first_purchase'), points: RulePoints }),
      z
        .strictObject({ type: z.literal('cap'), maxPerTransaction: Limit.optional(), maxPerMemberPerDay: Limit.optional() })
        .refine((c) => c.maxPerTransaction !== undefined || c.maxPerMemberPerDay !== undefined, {
          message: 'Give maxPerTransaction, maxPerMemberPerDay or both',
          path: ['maxPerTransaction'],
        }),
    ],
    { error: 'type must be base, multiplier, bonus, first_purchase or cap' },
  )
  .meta({ id: 'EarningRuleEffect' });

// The schemas produce exactly the engine's types (a compile error here means they drifted apart).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const conditionsMatch: Same<z.infer<typeof RuleConditionsSchema>, RuleConditions> = true;
const effectMatches: Same<z.infer<typeof RuleEffectSchema>, RuleEffect> = true;
void conditionsMatch;
void effectMatches;
