import { z } from 'zod';
import { RewardVoucherSchema } from '../rewards/reward-schema.ts';
import { AutomationMessageSchema, AutomationTriggerSchema, type AutomationTrigger } from './automation-schema.ts';
import type { AutomationRow, TotalsRow } from './automations.repository.ts';

export const AutomationTotalsSchema = z
  .object({
    runs: z.number().int().meta({ description: 'Times the automation acted (one per member and occasion)' }),
    reached: z.number().int().meta({ description: 'Members it acted for' }),
    points: z.number().int().meta({ description: 'Bonus points awarded' }),
    vouchersIssued: z.number().int(),
    vouchersRedeemed: z.number().int().meta({ description: 'Issued vouchers used at a sale' }),
    messagesQueued: z.number().int().meta({ description: 'Messages handed to the outbox' }),
    messagesSent: z.number().int().meta({ description: 'Of those, sent by a transport' }),
    messagesSkipped: z.number().int().meta({ description: 'Messages not sent: no consent, the frequency cap, no channel, an inactive member' }),
  })
  .meta({ id: 'AutomationTotals' });

export type AutomationTotals = z.infer<typeof AutomationTotalsSchema>;

export const AutomationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(['active', 'paused', 'archived']),
    trigger: AutomationTriggerSchema,
    points: z.number().int().nullable(),
    voucher: RewardVoucherSchema.nullable(),
    message: AutomationMessageSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    totals: AutomationTotalsSchema.meta({ description: 'Results since the automation was made' }),
  })
  .meta({ id: 'Automation' });

export type AutomationView = z.infer<typeof AutomationSchema>;

export const toTotals = (row: TotalsRow | undefined): AutomationTotals => ({
  runs: Number(row?.runs ?? 0),
  reached: Number(row?.reached ?? 0),
  points: Number(row?.points ?? 0),
  vouchersIssued: Number(row?.vouchers_issued ?? 0),
  vouchersRedeemed: Number(row?.vouchers_redeemed ?? 0),
  messagesQueued: Number(row?.messages_queued ?? 0),
  messagesSent: Number(row?.messages_sent ?? 0),
  messagesSkipped: Number(row?.messages_skipped ?? 0),
});

export const triggerOf = (row: Pick<AutomationRow, 'trigger_kind' | 'trigger'>) => ({ ...row.trigger, kind: row.trigger_kind }) as AutomationTrigger;

export const toAutomationView = (row: AutomationRow, totals?: TotalsRow): AutomationView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  trigger: triggerOf(row),
  points: row.points,
  voucher: (row.voucher as AutomationView['voucher']) ?? null,
  message: row.message ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  totals: toTotals(totals),
});
