import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { Scope } from './program-reports.repository.ts';

/** What a sale is worth to the retailer: its spend after discounts and refunds, as RFM and tiers count it. */
const spend = sql`x.subtotal - x.discount - x.refunded_amount`;

/**
 * Posted sales per local day or month of the period, through members and in all (guests too), and the
 * distinct members who bought; the row with a null bucket is the whole period (grouping sets: one scan).
 */
export async function salesOverTime(db: Db, s: Scope, bucket: 'day' | 'month') {
  const { rows } = await sql<{ bucket: string | null; member_sales: number; member_revenue: number; sales: number; revenue: number; buyers: number }>`
    with sales as (
      select date_trunc(${sql.lit(bucket)}, x.occurred_at at time zone ${s.timeZone}) as bucket, x.member_id, ${spend} as revenue
      from transactions x
      where x.tenant_id = ${s.tenantId} and x.status = 'posted' and x.occurred_at >= ${s.start} and x.occurred_at < ${s.end}
        ${s.storeId ? sql`and x.store_id = ${s.storeId}` : sql``}
    )
    select case when grouping(bucket) = 0 then to_char(bucket, 'YYYY-MM-DD') end as bucket,
      (count(*) filter (where member_id is not null))::int as member_sales,
      coalesce(sum(revenue) filter (where member_id is not null), 0)::int8 as member_revenue,
      count(*)::int as sales,
      coalesce(sum(revenue), 0)::int8 as revenue,
      count(distinct member_id)::int as buyers
    from sales
    group by grouping sets ((bucket), ())`.execute(db);
  return rows;
}
