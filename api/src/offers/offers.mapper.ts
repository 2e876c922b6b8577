import { z } from 'zod';
import type { RewardVoucher } from '../rewards/reward-schema.ts';
import { OfferMessageSchema, OfferSuggestionSchema, OfferTriggerSchema } from './offer-schema.ts';
import type { OfferRow } from './offers.repository.ts';
import type { OfferRule } from './offer-engine.ts';

const Totals = z.object({
  shown: z.number().int().meta({ description: 'Showings' }),
  reached: z.number().int().meta({ description: 'Members shown it' }),
  converted: z.number().int().meta({ description: 'Showings converted: the member bought the suggested item within conversionDays, once per showing episode' }),
  conversionRate: z.number().meta({ description: 'Members who converted / reached: the share of the members shown it who bought it, 4 decimals, at most 1 (0 when nobody was reached)' }),
  revenue: z.number().int().meta({ description: 'What converting purchases paid for the suggested items (after discounts), minor units' }),
});

export const OfferSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['cross_sell', 'up_sell']),
    status: z.enum(['active', 'paused', 'archived']),
    trigger: OfferTriggerSchema,
    suggestion: OfferSuggestionSchema,
    message: OfferMessageSchema,
    voucher: z.record(z.string(), z.unknown()).nullable(),
    bonusPoints: z.number().int().nullable(),
    segment: z.string().nullable(),
    startsAt: z.string(),
    endsAt: z.string(),
    maxShows: z.number().int(),
    capDays: z.number().int(),
    conversionDays: z.number().int(),
    priority: z.number().int(),
    mined: z.record(z.string(), z.unknown()).nullable(),
    results: Totals.meta({ description: 'Over the last 30 days of showings' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Offer' });

export type TotalsView = z.infer<typeof Totals>;
export const TotalsSchema = Totals;

export const noTotals: TotalsView = { shown: 0, reached: 0, converted: 0, conversionRate: 0, revenue: 0 };

export function toTotals(row: { shown: number; reached: number; converted: number; revenue: number; converted_members?: number } | undefined): TotalsView {
  if (!row) return noTotals;
  // Members, not showings: a member shown an offer again after converting can convert again, and
  // converted / reached would pass 1. Without the members' count (a sum over offers), converted capped at reached.
  const reached = Number(row.reached);
  const convertedMembers = Math.min(reached, Number(row.converted_members ?? row.converted));
  return {
    shown: Number(row.shown), reached, converted: Number(row.converted), revenue: Number(row.revenue),
    conversionRate: reached ? Math.round((convertedMembers / reached) * 10_000) / 10_000 : 0,
  };
}

export const toOfferView = (row: OfferRow, totals: TotalsView = noTotals): z.infer<typeof OfferSchema> => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  status: row.status,
  trigger: row.trigger as z.infer<typeof OfferTriggerSchema>,
  suggestion: row.suggestion as z.infer<typeof OfferSuggestionSchema>,
  message: row.message as z.infer<typeof OfferMessageSchema>,
  voucher: row.voucher,
  bonusPoints: row.bonus_points,
  segment: row.segment_code,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
  maxShows: row.max_shows,
  capDays: row.cap_days,
  conversionDays: row.conversion_days,
  priority: row.priority,
  mined: row.mined,
  results: totals,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const toRule = (row: OfferRow): OfferRule & { row: OfferRow } => ({
  id: row.id,
  trigger: row.trigger as OfferRule['trigger'],
  suggestion: row.suggestion as OfferRule['suggestion'],
  segment: row.segment_code,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  priority: row.priority,
  maxShows: row.max_shows,
  row,
});

/** An offer as a till, a web shop or the member app shows it. */
export const ShownOfferSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(['cross_sell', 'up_sell']),
    name: z.string(),
    message: OfferMessageSchema,
    suggestion: OfferSuggestionSchema,
    bonusPoints: z.number().int().nullable().meta({ description: 'Points for buying the suggested item' }),
    voucher: z
      .object({ code: z.string(), expiresAt: z.string().nullable(), kind: z.string(), value: z.number().int().nullable(), maxDiscount: z.number().int().nullable(), sku: z.string().nullable(), minSpend: z.number().int() })
      .nullable()
      .meta({ description: 'The member’s personal voucher for this offer, while it can be used' }),
  })
  .meta({ id: 'ShownOffer' });

export type ShownOffer = z.infer<typeof ShownOfferSchema>;

export function toShownOffer(row: OfferRow, voucher: { code: string; expires_at: Date | null } | null): ShownOffer {
  const terms = row.voucher as RewardVoucher | null;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    message: row.message as ShownOffer['message'],
    suggestion: row.suggestion as ShownOffer['suggestion'],
    bonusPoints: row.bonus_points,
    voucher: voucher && terms
      ? {
          code: voucher.code, expiresAt: voucher.expires_at?.toISOString() ?? null, kind: terms.kind, value: terms.value ?? null,
          maxDiscount: terms.maxDiscount ?? null, sku: terms.sku ?? null, minSpend: terms.minSpend ?? 0,
        }
      : null,
  };
}
