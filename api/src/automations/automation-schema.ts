// An automation as the API receives it: one trigger, and at least one action. Whatever a marketer
// can get wrong is refused here, naming the field; whether a segment or tier code is the tenant's
// own is checked by the service.

import { z } from 'zod';
import { MEMBER_PLACEHOLDERS, MessageTextSchema } from '../messages/template.ts';
import { Code, nonEmptyList } from '../earning/rule-schema.ts';
import { RewardVoucherSchema } from '../rewards/reward-schema.ts';

const Text = (max: number) => z.string().trim().min(1, 'Must not be empty').max(max, `At most ${max} characters`);
const Days = (max: number, description: string) =>
  z.number().int('Whole days').min(1, 'At least 1 day').max(max, `At most ${max} days`).meta({ description });

export const AutomationTriggerSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('sign_up') }).meta({ description: 'A member joins (any way: the form, the till, an import)' }),
    z.strictObject({ kind: z.literal('first_purchase') }).meta({ description: 'The member’s first posted sale' }),
    z.strictObject({ kind: z.literal('birthday') })
      .meta({ description: 'On the member’s birthday in the retailer’s time zone, once a year; 29 February counts on 28 February in other years. A birthday missed because no job ran that day (servers down) is still celebrated within 7 days, unless the member joined or the automation was made after it' }),
    z.strictObject({ kind: z.literal('inactive'), days: Days(3650, 'No purchase (or, never bought, no purchase since joining) for this many days') })
      .meta({ description: 'Once per quiet spell: a new purchase starts a new one' }),
    z.strictObject({ kind: z.literal('points_expiring'), days: Days(365, 'Posted points expire within this many days') })
      .meta({ description: 'Once per expiry date of the member’s soonest-expiring points' }),
    z.strictObject({
      kind: z.literal('tier_change'),
      direction: z.enum(['up', 'down', 'any']).meta({ description: 'Up a tier, down a tier, or either' }),
      tier: Code.optional().meta({ description: 'Only a change to this tier (its code)' }),
    }).meta({ description: 'The member’s tier changes (a sale, the yearly review, an adjustment)' }),
    z.strictObject({ kind: z.literal('category_purchase'), categories: nonEmptyList(Code, 'category', 100) })
      .meta({ description: 'A posted sale with an item of one of these categories; once per sale' }),
    z.strictObject({ kind: z.literal('segment_entry'), segment: Code.meta({ description: 'The segment’s code' }) })
      .meta({ description: 'A member enters the segment (checked every few minutes; members in it when the automation starts do not count)' }),
  ])
  .meta({ id: 'AutomationTrigger' });

export const AutomationMessageSchema = MessageTextSchema.meta({
  id: 'AutomationMessage',
  description: `The message in Bahasa Indonesia and English (the member’s language is used), with placeholders ${MEMBER_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')} (an unknown one is refused). A marketing message: only to members who consented, within the retailer’s frequency cap`,
});

const AutomationFields = z.strictObject({
  name: Text(200),
  trigger: AutomationTriggerSchema,
  points: z.number().int('Whole points').min(1, 'At least 1').max(1_000_000, 'At most 1,000,000').nullable().optional()
    .meta({ description: 'Bonus points (a bonus entry naming the automation)' }),
  voucher: RewardVoucherSchema.nullable().optional().meta({ description: 'A personal single-use voucher' }),
  message: AutomationMessageSchema.nullable().optional(),
});

const someAction = (a: { points?: number | null; voucher?: unknown; message?: unknown }, ctx: z.RefinementCtx) => {
  if (!a.points && !a.voucher && !a.message) ctx.addIssue({ code: 'custom', path: ['points'], message: 'Give at least one action: points, voucher or message' });
};

export const AutomationBody = AutomationFields.extend({
  status: z.enum(['active', 'paused']).optional().meta({ description: 'Default `active`' }),
}).superRefine(someAction).meta({ id: 'AutomationInput' });

export const AutomationPatch = AutomationFields.partial().meta({ id: 'AutomationPatch' });

export const AutomationSettingsSchema = z
  .strictObject({
    messageCap: z.number().int().min(0, 'From 0 to 100').max(100, 'From 0 to 100')
      .meta({ description: 'At most this many automated marketing messages per member in `capDays` days, across automations (0: none)' }),
    capDays: z.number().int().min(1, 'From 1 to 365 days').max(365, 'From 1 to 365 days'),
  })
  .meta({ id: 'AutomationSettings' });

export type AutomationTrigger = z.infer<typeof AutomationTriggerSchema>;
export type AutomationInput = z.infer<typeof AutomationBody>;
export type AutomationPatchInput = z.infer<typeof AutomationPatch>;
export type AutomationSettings = z.infer<typeof AutomationSettingsSchema>;
