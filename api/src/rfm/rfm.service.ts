import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { toRfmView } from './rfm.mapper.ts';
import * as repo from './rfm.repository.ts';

export const RFM_FORMULAS = `
**Window.** Posted sales of the last \`rfmWindowMonths\` (tenant setting, default 12; calendar months on the tenant's
clock) up to the computation. A sale's spend is subtotal − discount − refunded amount (goods after discounts, net of
refunds, shipping excluded). Members without a sale in the window get no scores.

**Values.** \`recencyDays\`: whole days since the last sale in the window; \`frequency\`: number of sales;
\`monetary\`: sum of spend (minor units).

**Scores (quintiles of rank, 1–5).** Over the n customers with a sale in the window, \`score = 1 + floor(5 × (rank − 1) / n)\`
where \`rank\` is SQL \`rank()\` (ties share the lowest rank): F ascending by frequency, M ascending by monetary, R
descending by recencyDays (the longest ago is rank 1, so recent buyers score 5).

**CLV** (minor units, whole rupiah): the annualised spend over the horizon:
\`observedDays = max(30, min(days in the window, days since the first purchase))\`,
\`clv = floor(monetary × 365 / observedDays × clvHorizonMonths / 12 / 100) × 100\` (horizon default 36 months).

Scores are recomputed by the scheduled jobs when older than 24 hours, or at once with \`POST /api/v1/rfm/recompute\`.`;

const STALE_AFTER_MS = 24 * 3600e3;
const TENANTS_PER_RUN = 25;
const TOP_CATEGORIES = 10;

/** Recomputes the caller's tenant's RFM scores and CLV as of `now`. */
export async function recomputeRfm(db: Db, principal: Principal, now = new Date()) {
  const customers = await inTransaction(db, (trx) => repo.recomputeRfm(trx, principal.tenantId, now));
  return { customers, computedAt: now.toISOString() };
}

/** The scheduler's job: tenants whose scores are older than 24 hours (or missing), a few per run. */
export async function recomputeStaleRfm(db: Db, now = new Date()) {
  const tenants = await repo.staleRfmTenants(db, new Date(now.getTime() - STALE_AFTER_MS), TENANTS_PER_RUN);
  let customers = 0;
  for (const tenantId of tenants) customers += await db.transaction().execute((trx) => repo.recomputeRfm(trx, tenantId, now));
  return { tenants: tenants.length, customers };
}

export async function rfmReport(db: Db, principal: Principal) {
  const [settings, cells] = await Promise.all([repo.rfmSettings(db, principal.tenantId), repo.rfmGrid(db, principal.tenantId)]);
  const grid = [];
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) {
      const cell = cells.find((c) => c.r === r && c.f === f);
      grid.push({ r, f, members: cell?.members ?? 0, averageMonetary: cell ? Number(cell.average_monetary) : null });
    }
  }
  return {
    computedAt: settings.rfm_computed_at?.toISOString() ?? null,
    windowMonths: settings.rfm_window_months,
    clvHorizonMonths: settings.clv_horizon_months,
    customers: cells.reduce((sum, c) => sum + c.members, 0),
    cells: grid,
  };
}

/** The member's RFM scores (or null) and purchase profile over all posted sales. */
export async function memberProfile(db: Db, principal: Principal, memberId: string) {
  const tenantId = principal.tenantId;
  await getMember(db, tenantId, memberId);
  const tenant = await getTenant(db, tenantId);
  const [rfm, summary, times, categories] = await Promise.all([
    repo.memberRfm(db, tenantId, memberId),
    repo.purchaseSummary(db, tenantId, memberId),
    repo.purchaseTimes(db, tenantId, memberId, tenant.time_zone),
    repo.topCategories(db, tenantId, memberId, TOP_CATEGORIES),
  ]);
  const byWeekday = Array<number>(7).fill(0);
  const byHour = Array<number>(24).fill(0);
  for (const t of times) {
    byWeekday[t.weekday - 1] += t.count;
    byHour[t.hour] += t.count;
  }
  const { count, first_at: firstAt, last_at: lastAt } = summary;
  const spend = Number(summary.spend);
  const spanDays = firstAt && lastAt ? (lastAt.getTime() - firstAt.getTime()) / 86400e3 : 0;
  return {
    rfm: rfm ? toRfmView(rfm) : null,
    rfmWindowMonths: tenant.rfm_window_months,
    clvHorizonMonths: tenant.clv_horizon_months,
    purchases: {
      count,
      spend,
      firstAt: firstAt?.toISOString() ?? null,
      lastAt: lastAt?.toISOString() ?? null,
      averageOrderValue: count > 0 ? Math.floor(spend / count) : null,
      averageDaysBetween: count >= 2 ? Math.round((spanDays / (count - 1)) * 10) / 10 : null,
      byWeekday,
      byHour,
      categories: categories.map((c) => ({ category: c.category, quantity: Number(c.quantity), spend: Number(c.spend) })),
    },
  };
}
