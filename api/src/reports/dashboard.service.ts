import { z } from 'zod';
import type { Db } from '../deps.ts';
import { offerTotals } from '../offers/offers.repository.ts';
import { toTotals, TotalsSchema } from '../offers/offers.mapper.ts';
import type { Principal } from '../shared/principal.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as salesRepo from './dashboard.repository.ts';
import { outstanding } from './liability.repository.ts';
import * as repo from './program-reports.repository.ts';
import {
  addDays, FunnelStage, PeriodFields, periodFields, periodOf, rate, Rate, stage as funnelStage, type PeriodQuery,
} from './program-reports.service.ts';

const MAX_DAILY_DAYS = 62;
const TOP = 5;
const DAY = 86400e3;

export const DASHBOARD_RULES = `The program at a glance, each figure defined as in the report it comes from.
**Buckets**: one per local day when the period has at most ${MAX_DAILY_DAYS} days, otherwise one per calendar month (clipped to the
period). **Members**: \`total\` = members who had joined by the end (of the bucket or period), \`new\` = joined in it,
\`active\` = distinct members with a posted purchase in it (at the store, with \`storeId\`), as in
\`/reports/active-members\`; joins are the whole retailer's even with a store. **Sales**: posted (not voided) sales in it;
\`revenue\` is what they were worth after discounts and refunds; \`memberSales\`/\`memberRevenue\` those of members,
\`memberShare\` = memberRevenue / revenue (null without sales), and \`guestSales\` = sales − memberSales. **Points**
issued, redeemed and expired as in \`/reports/redemption\`. **Liability**: points outstanding now and their value (the
whole retailer, whatever the period or store), as in \`/reports/points-liability\`. **Top rewards**: the ${TOP} most
redeemed in the period, as in \`/reports/redemption\`; **top offers**: the ${TOP} with the most conversions among those shown
in the period (then by revenue), as in \`/reports/offers\`. **Funnel** as in \`/reports/acquisition\`.`;

const Money = z.number().int().meta({ description: 'Minor units of the tenant currency' });
const Members = z.object({ total: z.number().int(), new: z.number().int(), active: z.number().int() });
const Sales = z.object({ sales: z.number().int(), revenue: Money, memberSales: z.number().int(), memberRevenue: Money });
const Points = z.object({ issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int() });

export const DashboardSchema = z
  .object({
    ...PeriodFields,
    currency: z.string().meta({ description: 'ISO 4217 code of the amounts' }),
    bucket: z.enum(['day', 'month']),
    members: Members,
    sales: Sales.extend({ guestSales: z.number().int(), memberShare: Rate.nullable() }),
    points: Points,
    liability: z.object({ points: z.number().int(), value: Money, pending: z.number().int(), debt: z.number().int(), members: z.number().int() }),
    buckets: z.array(z.object({
      start: z.string().meta({ description: 'First local day of the bucket (within the period)' }),
      end: z.string().meta({ description: 'Last local day of the bucket (within the period)' }),
      members: Members,
      sales: Sales,
      points: Points,
    })).meta({ description: 'Every bucket of the period, oldest first' }),
    topRewards: z.array(z.object({ rewardId: z.uuid(), name: z.string(), redeemed: z.number().int(), points: z.number().int() })),
    topOffers: z.array(TotalsSchema.extend({ offerId: z.uuid(), name: z.string() })),
    funnel: FunnelStage,
  })
  .meta({ id: 'Dashboard' });

type Dashboard = z.infer<typeof DashboardSchema>;

/** Issue 9's dashboard: members, sales, points and programs over the period, from the program reports' own queries. */
export async function dashboard(db: Db, principal: Principal, query: PeriodQuery): Promise<Dashboard> {
  const period = await periodOf(db, principal, query, 'days30');
  const { scope } = period;
  const days = (Date.parse(period.to) - Date.parse(period.from)) / DAY + 1;
  const bucket = days <= MAX_DAILY_DAYS ? 'day' : 'month';
  const [tenant, membersRows, salesRows, flowRows, liability, rewards, offers, funnelRows] = await Promise.all([
    getTenant(db, scope.tenantId),
    repo.activeOverTime(db, scope, bucket, period.from, period.to),
    salesRepo.salesOverTime(db, scope, bucket),
    repo.pointFlowsOverTime(db, scope, bucket),
    outstanding(db, scope.tenantId),
    repo.rewardsRedeemed(db, scope),
    repo.allOffers(db, scope.tenantId),
    repo.funnel(db, scope),
  ]);
  const offerRows = await offerTotals(db, scope.tenantId, offers.map((o) => o.id), { from: scope.start, to: new Date(scope.end.getTime() - 1) }, period.storeId);

  const salesOf = (key: string | null) => {
    const row = salesRows.find((r) => r.bucket === key);
    return { sales: Number(row?.sales ?? 0), revenue: Number(row?.revenue ?? 0), memberSales: Number(row?.member_sales ?? 0), memberRevenue: Number(row?.member_revenue ?? 0) };
  };
  const buckets = membersRows.map((row, i) => {
    const next = membersRows[i + 1]?.bucket;
    const end = next ? addDays(next, -1) : period.to;
    const flows = flowRows.find((f) => f.bucket === row.bucket);
    return {
      start: row.bucket < period.from ? period.from : row.bucket,
      end: end > period.to ? period.to : end,
      members: { total: Number(row.total), new: Number(row.joined), active: Number(row.active) },
      sales: salesOf(row.bucket),
      points: { issued: Number(flows?.issued ?? 0), redeemed: Number(flows?.redeemed ?? 0), expired: Number(flows?.expired ?? 0) },
    };
  });
  const sales = salesOf(null);
  const sum = (key: keyof Dashboard['points']) => buckets.reduce((total, b) => total + b.points[key], 0);
  const funnelSum = (key: 'prospects' | 'first_purchase' | 'repeat_purchase') => funnelRows.reduce((total, r) => total + Number(r[key]), 0);
  const names = new Map(offers.map((o) => [o.id, o.name]));

  return {
    ...periodFields(period),
    currency: tenant.currency,
    bucket,
    members: {
      total: buckets.at(-1)?.members.total ?? 0,
      new: buckets.reduce((total, b) => total + b.members.new, 0),
      active: Number(salesRows.find((r) => r.bucket === null)?.buyers ?? 0),
    },
    sales: { ...sales, guestSales: sales.sales - sales.memberSales, memberShare: sales.sales ? rate(sales.memberRevenue, sales.revenue) : null },
    points: { issued: sum('issued'), redeemed: sum('redeemed'), expired: sum('expired') },
    liability: { ...liability, value: liability.points * tenant.point_value },
    buckets,
    topRewards: rewards.slice(0, TOP).map((r) => ({ rewardId: r.reward_id, name: r.name, redeemed: Number(r.redeemed), points: Number(r.points) })),
    topOffers: offerRows
      .map((row) => ({ offerId: row.offer_id, name: names.get(row.offer_id) ?? '', ...toTotals(row) }))
      .sort((a, b) => b.converted - a.converted || b.revenue - a.revenue || a.name.localeCompare(b.name))
      .slice(0, TOP),
    funnel: funnelStage(funnelSum('prospects'), funnelSum('first_purchase'), funnelSum('repeat_purchase')),
  };
}
