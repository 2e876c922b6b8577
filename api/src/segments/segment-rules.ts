// A segment's rules as the API receives them: `{match, conditions}`, each condition one of the
// kinds below with an optional `negate`. Unknown keys and kinds are refused with the field's path:
// a misspelt condition would otherwise widen a campaign to every member. Whether tier codes and
// store ids are the tenant's own is checked by the service (it needs the database).

import { z } from 'zod';
import { Code, MAX_MINOR, nonEmptyList } from '../earning/rule-schema.ts';

const Days = z.number().int('Whole days').min(1, 'At least 1 day').max(3650, 'At most 3650 days');
const Minor = z.number().int('Whole minor units').min(0, 'Must not be negative').max(MAX_MINOR, 'Too large');
const Count = z.number().int('Whole numbers').min(0, 'Must not be negative').max(1_000_000, 'Too large');
const DaysSince = z.number().int('Whole days').min(0, 'Must not be negative').max(36_500, 'Too large');
const Score = z.number().int('Scores are whole numbers').min(1, 'Scores run from 1 to 5').max(5, 'Scores run from 1 to 5');
const Tag = z.string().trim().regex(/^[\p{L}\p{N} _-]{1,40}$/u, 'Letters, digits, spaces, hyphens and underscores, up to 40');
const Stage = z.enum(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back'], 'Must be a lifecycle stage: prospect, new, active, at_risk, lapsed or won_back');

const negate = z.boolean('Must be true or false').optional().meta({ description: 'Members who do *not* meet the condition' });

const hasBound = (r: { min?: number; max?: number }) => r.min !== undefined || r.max !== undefined;
const inOrder = (r: { min?: number; max?: number }) => r.min === undefined || r.max === undefined || r.min <= r.max;
const bounded = <T extends z.ZodObject>(schema: T) =>
  schema
    .refine(hasBound, { message: 'Give min, max or both', path: ['min'] })
    .refine(inOrder, { message: 'Must not be less than min', path: ['max'] });

const ScoreRange = bounded(z.strictObject({ min: Score.optional(), max: Score.optional() })).optional();

const condition = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.strictObject({ type: z.literal(type), negate, ...shape });

export const SegmentConditionSchema = z
  .discriminatedUnion(
    'type',
    [
      condition('tier', { tiers: nonEmptyList(Code, 'tier code', 100).meta({ description: 'Tier codes of this tenant' }) }),
      condition('lifecycle', { stages: nonEmptyList(Stage, 'stage', 6) }),
      condition('rfm', { r: ScoreRange, f: ScoreRange, m: ScoreRange })
        .refine((c) => c.r || c.f || c.m, { message: 'Give r, f, m or several', path: ['r'] })
        .meta({ description: 'Scores from the last RFM computation (inclusive ranges); a member without scores never matches' }),
      bounded(condition('spend', { withinDays: Days, min: Minor.optional(), max: Minor.optional() }))
        .meta({ description: 'Sum of spend (subtotal − discount − refunds, minor units) of posted sales in the last `withinDays`, inclusive bounds' }),
      bounded(condition('visits', { withinDays: Days, min: Count.optional(), max: Count.optional() }))
        .meta({ description: 'Number of posted sales in the last `withinDays`, inclusive bounds' }),
      bounded(condition('days_since_purchase', { min: DaysSince.optional(), max: DaysSince.optional() }))
        .meta({ description: 'Whole days since the last purchase, inclusive bounds; members who never bought do not match' }),
      condition('bought', {
        skus: nonEmptyList(Code, 'sku', 1000).optional(),
        categories: nonEmptyList(Code, 'category', 1000).optional(),
        withinDays: Days.optional().meta({ description: 'Only sales of the last this many days; default: ever' }),
      })
        .refine((c) => c.skus || c.categories, { message: 'Give skus, categories or both', path: ['skus'] })
        .meta({ description: 'A posted sale with a line of one of the skus or categories, not fully refunded' }),
      condition('store', {
        stores: nonEmptyList(z.uuid('Must be a store id'), 'store', 1000).meta({ description: 'Store ids of this tenant' }),
        withinDays: Days.optional().meta({ description: 'Only sales of the last this many days; default: ever' }),
      }).meta({ description: 'A posted sale at one of the stores' }),
      condition('birthday_month', {
        months: nonEmptyList(z.number().int('Months are whole numbers').min(1, 'Months run from 1 to 12').max(12, 'Months run from 1 to 12'), 'month', 12),
      }).meta({ description: 'Birth month (1 = January); members without a birth date do not match' }),
      condition('tags', {
        any: nonEmptyList(Tag, 'tag', 50).optional().meta({ description: 'The member has at least one of these tags' }),
        all: nonEmptyList(Tag, 'tag', 50).optional().meta({ description: 'The member has every one of these tags' }),
      }).refine((c) => c.any || c.all, { message: 'Give any, all or both', path: ['any'] }),
      condition('consent', { marketing: z.boolean('Must be true or false').meta({ description: 'Whether the member agreed to marketing messages' }) }),
      condition('joined', { withinDays: Days.meta({ description: 'The member enrolled in the last this many days' }) }),
    ],
    { error: 'type must be tier, lifecycle, rfm, spend, visits, days_since_purchase, bought, store, birthday_month, tags, consent or joined' },
  )
  .meta({ id: 'SegmentCondition' });

export const SegmentRulesSchema = z
  .strictObject({
    match: z.enum(['all', 'any'], 'Must be all or any').meta({ description: '`all`: every condition holds; `any`: at least one does' }),
    conditions: z.array(SegmentConditionSchema).max(50, 'At most 50 conditions')
      .meta({ description: 'No conditions: every member' }),
  })
  .meta({ id: 'SegmentRules' });

export type SegmentRules = z.infer<typeof SegmentRulesSchema>;
export type SegmentCondition = z.infer<typeof SegmentConditionSchema>;

export const SEGMENT_RULES_DOC = `
Rules are \`{match: "all" | "any", conditions: [...]}\`; each condition has a \`type\` and may set \`negate: true\` to
select the members who do not meet it. Merged members never belong to a segment. Windows (\`withinDays\`) end at the
moment of evaluation (now); amounts are minor units (IDR: Rp 1 = 100); a member's spend of a sale is its
subtotal − discount − refunded amount (goods after discounts, net of refunds, shipping excluded), posted sales only.

- \`tier\` {tiers}: the member's current tier code is one of these.
- \`lifecycle\` {stages}: the member's lifecycle stage is one of these.
- \`rfm\` {r?, f?, m?: {min?, max?}}: RFM scores (1–5) of the last computation; without scores, no match.
- \`spend\` {withinDays, min?, max?}: the sum of spend in the window (0 without sales) is within the bounds.
- \`visits\` {withinDays, min?, max?}: the number of posted sales in the window is within the bounds.
- \`days_since_purchase\` {min?, max?}: whole days since the last purchase; members who never bought never match.
- \`bought\` {skus?, categories?, withinDays?}: a posted sale line of one of them that is not fully refunded.
- \`store\` {stores, withinDays?}: a posted sale at one of the stores.
- \`birthday_month\` {months}: the birth date's month (1–12).
- \`tags\` {any?, all?}: the member has one of \`any\` and every one of \`all\`.
- \`consent\` {marketing}: the member's marketing consent is this.
- \`joined\` {withinDays}: the member enrolled in the window.

Bounds are inclusive. Membership is evaluated in the database each time it is asked for, so counts are live.`;
