// An offer as the API receives it. Whatever a marketer can get wrong is refused here, naming the
// field; whether the segment code is the tenant's own is checked by the service.

import { z } from 'zod';
import { Code, nonEmptyList } from '../earning/rule-schema.ts';
import { Instant } from '../http/schemas.ts';
import { RewardVoucherSchema } from '../rewards/reward-schema.ts';

const Text = (max: number) => z.string().trim().min(1, 'Must not be empty').max(max, `At most ${max} characters`);

export const OfferTriggerSchema = z
  .strictObject({
    skus: nonEmptyList(Code, 'sku', 500).optional(),
    categories: nonEmptyList(Code, 'category', 100).optional(),
  })
  .refine((t) => t.skus || t.categories, { message: 'Give skus, categories or both', path: ['skus'] })
  .meta({ id: 'OfferTrigger', description: 'The offer applies to a member buying (in the cart) or who recently bought one of these' });

export const OfferSuggestionSchema = z
  .strictObject({
    sku: Code.optional(),
    category: Code.optional(),
    name: Text(200).optional().meta({ description: 'What the till and the app call the suggested item' }),
  })
  .refine((s) => s.sku || s.category, { message: 'Give the sku or the category suggested', path: ['sku'] })
  .meta({ id: 'OfferSuggestion', description: 'What is suggested: a SKU, or any item of a category. Buying it converts the offer' });

export const OfferMessageSchema = z
  .strictObject({ id: Text(280), en: Text(280) })
  .meta({ id: 'OfferMessage', description: 'What the till says and the member reads, in Bahasa Indonesia and English' });

export const OfferFields = z.strictObject({
  name: Text(200),
  kind: z.enum(['cross_sell', 'up_sell']).meta({ description: '`cross_sell`: what goes with what they buy; `up_sell`: a better version of it' }),
  trigger: OfferTriggerSchema,
  suggestion: OfferSuggestionSchema,
  message: OfferMessageSchema,
  voucher: RewardVoucherSchema.nullable().optional()
    .meta({ description: 'A personal single-use voucher issued the first time the offer is shown to a member' }),
  bonusPoints: z.number().int('Whole points').min(1, 'At least 1').max(1_000_000, 'At most 1,000,000').nullable().optional()
    .meta({ description: 'Points for the member when they buy the suggested item (the conversion)' }),
  segment: Code.nullable().optional().meta({ description: 'Only members of this segment (its code)' }),
  startsAt: Instant,
  endsAt: Instant.meta({ description: 'Inclusive' }),
  maxShows: z.number().int().min(1, 'At least 1').max(1000).optional().meta({ description: 'At most this many showings per member in `capDays` days; default 3' }),
  capDays: z.number().int().min(1, 'At least 1 day').max(365).optional().meta({ description: 'Default 7' }),
  conversionDays: z.number().int().min(1, 'At least 1 day').max(365).optional()
    .meta({ description: 'A purchase of the suggested item this many days after a showing converts it; default 14' }),
  priority: z.number().int().min(-1000).max(1000).optional().meta({ description: 'Higher first when several offers apply; default 0' }),
  mined: z.record(z.string(), z.unknown()).nullable().optional().meta({ description: 'The mined figures (support, confidence, lift…) the offer was made from' }),
});

const inOrder = (o: { startsAt?: string; endsAt?: string }, ctx: z.RefinementCtx) => {
  // As instants, not as text: the two may carry different offsets (Z, +07:00).
  if (o.startsAt && o.endsAt && Date.parse(o.endsAt) < Date.parse(o.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'Must not be before startsAt' });
};

export const OfferBody = OfferFields.extend({
  status: z.enum(['active', 'paused']).optional()
    .meta({ description: 'Default `active`. `paused`: created to be reviewed first (the portal makes a mined suggestion paused); resume it to show it' }),
}).superRefine(inOrder).meta({ id: 'OfferInput' });
export const OfferPatch = OfferFields.partial().superRefine(inOrder).meta({ id: 'OfferPatch' });
export type OfferInput = z.infer<typeof OfferBody>;
export type OfferPatchInput = z.infer<typeof OfferPatch>;
