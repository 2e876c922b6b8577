import { z } from 'zod';
import type { MemberRfmRow } from './rfm.repository.ts';

const Money = z.number().int().meta({ description: 'Minor units of the tenant currency' });
const Score = z.number().int().min(1).max(5);

export const RfmSchema = z
  .object({
    r: Score,
    f: Score,
    m: Score,
    recencyDays: z.number().int().meta({ description: 'Whole days from the last purchase in the window to `computedAt`' }),
    frequency: z.number().int().meta({ description: 'Posted sales in the window' }),
    monetary: Money.meta({ description: 'Spend in the window' }),
    clv: Money.meta({ description: 'Customer lifetime value estimate over the tenant’s horizon' }),
    computedAt: z.string(),
  })
  .meta({ id: 'MemberRfm' });

export const MemberProfileSchema = z
  .object({
    rfm: RfmSchema.nullable().meta({ description: 'Null: no sale in the RFM window at the last computation (or never computed)' }),
    rfmWindowMonths: z.number().int().meta({ description: 'The window the scores look at (the retailer’s lifecycle settings)' }),
    clvHorizonMonths: z.number().int().meta({ description: 'The horizon CLV projects over' }),
    purchases: z.object({
      count: z.number().int().meta({ description: 'Posted sales, ever' }),
      spend: Money,
      firstAt: z.string().nullable(),
      lastAt: z.string().nullable(),
      averageOrderValue: Money.nullable().meta({ description: 'spend / count, rounded down; null without sales' }),
      averageDaysBetween: z.number().nullable().meta({ description: 'Days from the first to the last sale / (count − 1), one decimal; null with fewer than 2 sales' }),
      byWeekday: z.array(z.number().int()).length(7).meta({ description: 'Sales by weekday on the tenant’s clock, Monday first' }),
      byHour: z.array(z.number().int()).length(24).meta({ description: 'Sales by hour of the day (0–23) on the tenant’s clock' }),
      categories: z
        .array(z.object({ category: z.string().nullable(), quantity: z.number().int(), spend: Money }))
        .meta({ description: 'Top 10 categories by spend (net of refunds); null: lines without a category' }),
    }),
  })
  .meta({ id: 'MemberProfile' });

export const RfmReportSchema = z
  .object({
    computedAt: z.string().nullable().meta({ description: 'When the scores were computed; null: never' }),
    windowMonths: z.number().int(),
    clvHorizonMonths: z.number().int(),
    customers: z.number().int().meta({ description: 'Members with scores' }),
    cells: z
      .array(z.object({ r: Score, f: Score, members: z.number().int(), averageMonetary: Money.nullable().meta({ description: 'Rounded down; null for an empty cell' }) }))
      .length(25)
      .meta({ description: 'Every (r, f) pair, r then f ascending' }),
  })
  .meta({ id: 'RfmReport' });

export const toRfmView = (row: MemberRfmRow): z.infer<typeof RfmSchema> => ({
  r: row.r,
  f: row.f,
  m: row.m,
  recencyDays: row.recency_days,
  frequency: row.frequency,
  monetary: row.monetary,
  clv: row.clv,
  computedAt: new Date(row.computed_at).toISOString(),
});
