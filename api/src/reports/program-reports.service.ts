import { z } from 'zod';
import { effectiveStoreId } from '../stores/stores.service.ts';
import type { Db } from '../deps.ts';
import { offerTotals } from '../offers/offers.repository.ts';
import { toTotals, TotalsSchema } from '../offers/offers.mapper.ts';
import { localDate, startOfDate } from '../points/policy.ts';
import { rfmGridOf, rfmSettings } from '../rfm/rfm.repository.ts';
import { invalidField } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as repo from './program-reports.repository.ts';

// ---------------------------------------------------------------- the period and the store

export const PERIOD_RULES = `**Period.** \`from\` and \`to\` are dates on the retailer's calendar (its time zone), both
inclusive: from 00:00 on \`from\` to 24:00 on \`to\` local time (a sale at 23:30 WIB on \`to\` is in). At most 731 days.
**Store.** \`storeId\` narrows what happened at a store: purchases and what is tied to them. Members carry no joining
store, so joins (prospects, cohort sizes, new and total members) are the whole retailer's even with a store.
Merged member records (duplicates folded into another) are not counted as members.`;

const MAX_DAYS = 731;
const DAY = 86400e3;

export interface PeriodQuery {
  from?: string;
  to?: string;
  storeId?: string;
}

export interface Period {
  from: string;
  to: string;
  storeId: string | null;
  timeZone: string;
  scope: repo.Scope;
}

export const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');

export type DefaultFrom = 'days30' | 'months12';

/** Checks and resolves the query's period (defaults: up to today, 30 days or 12 months) and store. */
export async function periodOf(db: Db, principal: Principal, query: PeriodQuery, defaultFrom: DefaultFrom): Promise<Period> {
  const tenant = await getTenant(db, principal.tenantId);
  const today = localDate(new Date(), tenant.time_zone);
  const to = query.to ?? `${today.year}-${pad(today.month)}-${pad(today.day)}`;
  let from = query.from;
  if (!from) {
    if (defaultFrom === 'days30') from = addDays(to, -29);
    else {
      const index = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7)) - 1 - 11;
      from = `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`;
    }
  }
  if (from > to) throw invalidField('query.from', 'Must not be after to');
  if (Date.parse(to) - Date.parse(from) >= MAX_DAYS * DAY) throw invalidField('query.from', `At most ${MAX_DAYS} days before to`);
  // A store-bound key or staff member sees its own store (403 for another), as everywhere else (API.md).
  const storeId = effectiveStoreId(principal, query.storeId);
  if (storeId && !(await repo.storeExists(db, tenant.id, storeId))) throw invalidField('query.storeId', 'No such store');
  return {
    from, to, storeId, timeZone: tenant.time_zone,
    scope: { tenantId: tenant.id, timeZone: tenant.time_zone, start: startOfDate(from, tenant.time_zone), end: startOfDate(addDays(to, 1), tenant.time_zone), storeId },
  };
}

export const rate = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : 0);
export const Rate = z.number().meta({ description: 'A share from 0 to 1, 4 decimals (0 when the whole is 0)' });
const Money = z.number().int().meta({ description: 'Minor units of the tenant currency' });

export const PeriodFields = {
  from: z.string().meta({ description: 'First day (local calendar)' }),
  to: z.string().meta({ description: 'Last day (local calendar), inclusive' }),
  storeId: z.uuid().nullable(),
  timeZone: z.string(),
};
export const periodFields = (p: Period) => ({ from: p.from, to: p.to, storeId: p.storeId, timeZone: p.timeZone });

// ---------------------------------------------------------------- 1. acquisition funnel

export const SOURCES = ['in_store', 'web_form', 'referral', 'import', 'campaign'] as const;

export const FUNNEL_RULES = `**Prospects**: members who joined (were enrolled) in the period. **First purchase**: of them, those with at
least one posted (not voided) purchase made by the end of the period; **repeat**: those with at least two. Refunded
sales still count (they were purchases). With \`storeId\`, only purchases at that store count (prospects stay the
whole retailer's: the joining store is not recorded). \`firstPurchaseRate\` = firstPurchase / prospects,
\`repeatRate\` = repeat / firstPurchase.`;

export const FunnelStage = z.object({
  prospects: z.number().int(),
  firstPurchase: z.number().int(),
  repeat: z.number().int(),
  firstPurchaseRate: Rate,
  repeatRate: Rate,
});

export const FunnelReportSchema = z
  .object({
    ...PeriodFields,
    total: FunnelStage,
    bySource: z.array(FunnelStage.extend({ source: z.enum(SOURCES) })).meta({ description: 'Every source, in a fixed order' }),
  })
  .meta({ id: 'AcquisitionFunnelReport' });

export const stage = (prospects: number, firstPurchase: number, repeat: number) => ({
  prospects, firstPurchase, repeat, firstPurchaseRate: rate(firstPurchase, prospects), repeatRate: rate(repeat, firstPurchase),
});

export async function acquisitionFunnel(db: Db, principal: Principal, query: PeriodQuery): Promise<z.infer<typeof FunnelReportSchema>> {
  const period = await periodOf(db, principal, query, 'days30');
  const rows = await repo.funnel(db, period.scope);
  const bySource = SOURCES.map((source) => {
    const row = rows.find((r) => r.source === source);
    return { source, ...stage(row?.prospects ?? 0, row?.first_purchase ?? 0, row?.repeat_purchase ?? 0) };
  });
  const sum = (key: 'prospects' | 'first_purchase' | 'repeat_purchase') => rows.reduce((total, r) => total + Number(r[key]), 0);
  return { ...periodFields(period), total: stage(sum('prospects'), sum('first_purchase'), sum('repeat_purchase')), bySource };
}

// ---------------------------------------------------------------- 2. retention cohorts

export const COHORT_RULES = `Members who joined in the period, grouped by their local join month (the cohort). For each cohort and
month offset k (0 = the join month), \`active\` is how many of its members made a posted purchase in the k-th local
calendar month after the join month, counted up to the end of the period (so the last month may be partial);
\`share\` = active / members. Offsets run up to the month of \`to\`. With \`storeId\`, only purchases at that store.`;

export const CohortReportSchema = z
  .object({
    ...PeriodFields,
    cohorts: z.array(
      z.object({
        month: z.string().meta({ description: 'YYYY-MM, the join month' }),
        members: z.number().int(),
        months: z.array(z.object({ offset: z.number().int(), active: z.number().int(), share: Rate })),
      }),
    ).meta({ description: 'Every month of the period, oldest first' }),
  })
  .meta({ id: 'RetentionCohortReport' });

const monthIndex = (yyyyMm: string) => Number(yyyyMm.slice(0, 4)) * 12 + Number(yyyyMm.slice(5, 7)) - 1;
const monthOf = (index: number) => `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;

export async function retentionCohorts(db: Db, principal: Principal, query: PeriodQuery): Promise<z.infer<typeof CohortReportSchema>> {
  const period = await periodOf(db, principal, query, 'months12');
  const [sizes, activity] = await Promise.all([repo.cohortSizes(db, period.scope), repo.cohortActivity(db, period.scope)]);
  const first = monthIndex(period.from);
  const last = monthIndex(period.to);
  const cohorts = [];
  for (let index = first; index <= last; index++) {
    const month = monthOf(index);
    const members = sizes.find((s) => s.cohort === month)?.members ?? 0;
    const months = Array.from({ length: last - index + 1 }, (_, offset) => {
      const active = activity.find((a) => a.cohort === month && a.month_offset === offset)?.active ?? 0;
      return { offset, active, share: rate(active, members) };
    });
    cohorts.push({ month, members, months });
  }
  return { ...periodFields(period), cohorts };
}

// ---------------------------------------------------------------- 3. RFM grid

export const RFM_GRID_RULES = `The scores of \`GET /api/v1/reports/rfm\` (recomputed daily or on demand; see there for the formulas): members,
monetary sum and average per (recency score, frequency score). The scores are a snapshot as of \`computedAt\`; \`from\`,
\`to\` and \`storeId\` choose whose scores are counted: members with a posted purchase in the period (at the store).
Without any of them, every scored member.`;

export const RfmGridReportSchema = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    storeId: z.uuid().nullable(),
    timeZone: z.string(),
    computedAt: z.string().nullable(),
    windowMonths: z.number().int(),
    customers: z.number().int(),
    monetary: Money.meta({ description: 'Sum over the customers counted' }),
    cells: z
      .array(z.object({
        r: z.number().int(), f: z.number().int(), members: z.number().int(), monetary: Money,
        averageMonetary: Money.nullable().meta({ description: 'Rounded down; null for an empty cell' }),
      }))
      .length(25)
      .meta({ description: 'Every (r, f) pair, r then f ascending' }),
  })
  .meta({ id: 'RfmGridReport' });

export async function rfmGridReport(db: Db, principal: Principal, query: PeriodQuery): Promise<z.infer<typeof RfmGridReportSchema>> {
  const tenant = await getTenant(db, principal.tenantId);
  const windowed = Boolean(query.from || query.to);
  // A store-bound caller's grid is its store's even when it names none.
  const period = windowed || effectiveStoreId(principal, query.storeId) ? await periodOf(db, principal, query, 'days30') : null;
  const [settings, cells] = await Promise.all([
    rfmSettings(db, tenant.id),
    rfmGridOf(db, tenant.id, { start: windowed ? period?.scope.start : undefined, end: windowed ? period?.scope.end : undefined, storeId: period?.storeId }),
  ]);
  const grid = [];
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      const cell = cells.find((c) => c.r === r && c.f === f);
      grid.push({ r, f, members: cell?.members ?? 0, monetary: cell?.monetary ?? 0, averageMonetary: cell ? cell.averageMonetary : null });
    }
  }
  return {
    from: windowed ? period!.from : null,
    to: windowed ? period!.to : null,
    storeId: period?.storeId ?? null,
    timeZone: tenant.time_zone,
    computedAt: settings.rfm_computed_at?.toISOString() ?? null,
    windowMonths: settings.rfm_window_months,
    customers: cells.reduce((sum, c) => sum + c.members, 0),
    monetary: cells.reduce((sum, c) => sum + c.monetary, 0),
    cells: grid,
  };
}

// ---------------------------------------------------------------- 4. active members over time

export const ACTIVE_RULES = `One row per local day, ISO week (Monday to Sunday) or calendar month that touches the period (\`start\`
and \`end\` are clipped to it). \`active\`: distinct members with a posted purchase in it (at the store, with
\`storeId\`); \`joined\`: members who joined in it; \`total\`: members who had joined by its end (the whole retailer).`;

export const ActiveReportSchema = z
  .object({
    ...PeriodFields,
    bucket: z.enum(['day', 'week', 'month']),
    buckets: z.array(z.object({
      start: z.string().meta({ description: 'First local day of the bucket (within the period)' }),
      end: z.string().meta({ description: 'Last local day of the bucket (within the period)' }),
      active: z.number().int(),
      joined: z.number().int(),
      total: z.number().int(),
    })),
  })
  .meta({ id: 'ActiveMembersReport' });

export async function activeMembers(db: Db, principal: Principal, query: PeriodQuery & { bucket: repo.Bucket }): Promise<z.infer<typeof ActiveReportSchema>> {
  const period = await periodOf(db, principal, query, 'months12');
  const rows = await repo.activeOverTime(db, period.scope, query.bucket, period.from, period.to);
  const buckets = rows.map((row, i) => {
    const next = rows[i + 1]?.bucket;
    const start = row.bucket < period.from ? period.from : row.bucket;
    const end = next ? addDays(next, -1) : period.to;
    return { start, end: end > period.to ? period.to : end, active: Number(row.active), joined: Number(row.joined), total: Number(row.total) };
  });
  return { ...periodFields(period), bucket: query.bucket, buckets };
}

// ---------------------------------------------------------------- 5. redemption rate

export const VOUCHER_ORIGINS = ['reward', 'offer', 'automation', 'batch', 'public', 'personal'] as const;

export const REDEMPTION_RULES = `**Points.** \`issued\`: points earned on sales (counted when earned, even while pending in the return window)
and bonuses (welcome, referral, offers, automations); manual adjustments and merges are neither issued nor redeemed.
\`redeemed\`: points spent (at the till and on rewards) less points given back (refunds of sales paid with points,
cancelled reward redemptions). \`expired\`: points that expired. A sale's own earned and spent points count at the
sale's time (\`occurredAt\`); everything else when it happened. \`redemptionRate\` = redeemed / issued,
\`expiryRate\` = expired / issued. With \`storeId\`, only points tied to a sale at that store. A voided sale counts
for nothing (not what it earned or spent, nor what the void took back or gave back); a refund is a later event: the
points the sale earned stay issued and the points given back reduce redeemed.
**Vouchers** by the origin of their batch: \`issued\` = codes created in the period (with \`storeId\`: vouchers of a
reward redeemed there or of an offer first shown there); \`redeemed\` = uses not cancelled, at the sale's time when
used on a sale (with \`storeId\`: used there); \`discount\` = what those uses took off. \`redemptionRate\` =
redeemed / issued (a public code can be used more often than once).
**Rewards**: redemptions not cancelled in the period (with \`storeId\`: redeemed there), by reward.`;

const VoucherFigures = z.object({ issued: z.number().int(), redeemed: z.number().int(), discount: Money, redemptionRate: Rate });

export const RedemptionReportSchema = z
  .object({
    ...PeriodFields,
    points: z.object({ issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int(), redemptionRate: Rate, expiryRate: Rate }),
    vouchers: VoucherFigures.extend({
      byOrigin: z.array(VoucherFigures.extend({ origin: z.string().meta({ description: 'reward, offer, automation, batch, public, personal, …' }) })),
    }),
    rewards: z.object({
      redeemed: z.number().int(),
      points: z.number().int(),
      byReward: z.array(z.object({ rewardId: z.uuid(), name: z.string(), redeemed: z.number().int(), points: z.number().int() })),
    }),
  })
  .meta({ id: 'RedemptionReport' });

export async function redemptionReport(db: Db, principal: Principal, query: PeriodQuery): Promise<z.infer<typeof RedemptionReportSchema>> {
  const period = await periodOf(db, principal, query, 'days30');
  const [points, issued, used, rewards] = await Promise.all([
    repo.pointFlows(db, period.scope),
    repo.vouchersIssued(db, period.scope),
    repo.vouchersRedeemed(db, period.scope),
    repo.rewardsRedeemed(db, period.scope),
  ]);
  const p = { issued: Number(points?.issued ?? 0), redeemed: Number(points?.redeemed ?? 0), expired: Number(points?.expired ?? 0) };
  const origins = [...VOUCHER_ORIGINS, ...[...issued, ...used].map((r) => r.origin).filter((o) => !(VOUCHER_ORIGINS as readonly string[]).includes(o))];
  const byOrigin = [...new Set(origins)].map((origin) => {
    const i = Number(issued.find((r) => r.origin === origin)?.issued ?? 0);
    const u = used.find((r) => r.origin === origin);
    const redeemed = Number(u?.redeemed ?? 0);
    return { origin, issued: i, redeemed, discount: Number(u?.amount ?? 0), redemptionRate: rate(redeemed, i) };
  });
  const vouchers = byOrigin.reduce((t, o) => ({ issued: t.issued + o.issued, redeemed: t.redeemed + o.redeemed, discount: t.discount + o.discount }), { issued: 0, redeemed: 0, discount: 0 });
  const byReward = rewards.map((r) => ({ rewardId: r.reward_id, name: r.name, redeemed: Number(r.redeemed), points: Number(r.points) }));
  return {
    ...periodFields(period),
    points: { ...p, redemptionRate: rate(p.redeemed, p.issued), expiryRate: rate(p.expired, p.issued) },
    vouchers: { ...vouchers, redemptionRate: rate(vouchers.redeemed, vouchers.issued), byOrigin },
    rewards: { redeemed: byReward.reduce((s, r) => s + r.redeemed, 0), points: byReward.reduce((s, r) => s + r.points, 0), byReward },
  };
}

// ---------------------------------------------------------------- 6. offer results

export const OFFER_RESULTS_RULES = `Every offer (any status) with the results of \`GET /api/v1/offers/{id}/results\` over its showings in the
period (with \`storeId\`: showings at that store): shown, members reached, converted, conversion rate (converted /
reached) and revenue (what converting purchases paid for the suggested items: the extra revenue). The total's
conversion rate is total converted / total reached (a member reached by two offers counts twice).`;

export const OfferResultsReportSchema = z
  .object({
    ...PeriodFields,
    total: TotalsSchema,
    offers: z.array(TotalsSchema.extend({
      offerId: z.uuid(), name: z.string(), kind: z.enum(['cross_sell', 'up_sell']), status: z.enum(['active', 'paused', 'archived']),
    })).meta({ description: 'Newest offer first' }),
  })
  .meta({ id: 'OfferResultsReport' });

export async function offerResultsReport(db: Db, principal: Principal, query: PeriodQuery): Promise<z.infer<typeof OfferResultsReportSchema>> {
  const period = await periodOf(db, principal, query, 'days30');
  const offers = await repo.allOffers(db, period.scope.tenantId);
  const totals = await offerTotals(db, period.scope.tenantId, offers.map((o) => o.id), { from: period.scope.start, to: new Date(period.scope.end.getTime() - 1) }, period.storeId);
  const rows = offers.map((o) => ({ offerId: o.id, name: o.name, kind: o.kind, status: o.status, ...toTotals(totals.find((t) => t.offer_id === o.id)) }));
  const sum = (key: 'shown' | 'reached' | 'converted' | 'revenue') => rows.reduce((s, r) => s + r[key], 0);
  return {
    ...periodFields(period),
    total: toTotals({ shown: sum('shown'), reached: sum('reached'), converted: sum('converted'), revenue: sum('revenue') }),
    offers: rows,
  };
}
