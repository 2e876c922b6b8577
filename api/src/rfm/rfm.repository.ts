import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// A member's spend of a sale: goods after discounts, net of refunds, shipping excluded.
const saleSpend = sql`(s.subtotal - s.discount - s.refunded_amount)`;
// A line's part of it: the line's amount after its discount share, less the refunded units' share
// (the same floor the refund took).
const lineSpend = sql`((l.amount - l.discount) - div((l.amount - l.discount)::numeric * l.refunded_quantity, l.quantity))`;
const wholeDays = (from: ReturnType<typeof sql>, to: ReturnType<typeof sql>) => sql`floor(extract(epoch from (${to} - ${from})) / 86400)`;

/**
 * Replaces the tenant's RFM rows with those of `now`, set-based (see rfm.service.ts for the
 * formulas). The caller holds a transaction. Returns how many customers were scored.
 */
export async function recomputeRfm(db: Db, tenantId: string, now: Date): Promise<number> {
  const at = sql`${now}::timestamptz`;
  // One recompute per tenant at a time (a click on "recompute" meeting the scheduled job, or two
  // API processes): the second waits and then replaces the first's rows instead of colliding.
  await sql`select 1 from tenants where id = ${tenantId} for update`.execute(db);
  await db.deleteFrom('member_rfm').where('tenant_id', '=', tenantId).execute();
  const result = await sql`
    with tenant as (
      select t.id, t.clv_horizon_months as horizon,
        ((${at} at time zone t.time_zone) - make_interval(months => t.rfm_window_months)) at time zone t.time_zone as since
      from tenants t where t.id = ${tenantId}
    ), customers as (
      select s.member_id,
        ${wholeDays(sql`max(s.occurred_at)`, at)}::int as recency_days,
        count(*)::int as frequency,
        sum(${saleSpend})::int8 as monetary,
        least(m.first_purchase_at, min(s.occurred_at)) as first_at
      from transactions s
      join tenant tn on tn.id = s.tenant_id
      join members m on m.tenant_id = s.tenant_id and m.id = s.member_id
      where s.tenant_id = ${tenantId} and s.status = 'posted' and s.member_id is not null and m.status not in ('merged', 'erased')
        and s.occurred_at >= tn.since and s.occurred_at <= ${at}
      group by s.member_id, m.first_purchase_at
    ), ranked as (
      select c.*, count(*) over () as n,
        rank() over (order by c.recency_days desc) as r_rank,
        rank() over (order by c.frequency) as f_rank,
        rank() over (order by c.monetary) as m_rank,
        greatest(30, least(${wholeDays(sql`tn.since`, at)}, ${wholeDays(sql`c.first_at`, at)}))::int8 as observed_days,
        tn.horizon
      from customers c cross join tenant tn
    )
    insert into member_rfm (tenant_id, member_id, recency_days, frequency, monetary, r, f, m, clv, computed_at)
    select ${tenantId}::uuid, member_id, recency_days, frequency, monetary,
      (1 + 5 * (r_rank - 1) / n)::smallint, (1 + 5 * (f_rank - 1) / n)::smallint, (1 + 5 * (m_rank - 1) / n)::smallint,
      (div(monetary::numeric * 365 * horizon, observed_days * 1200) * 100)::int8,
      ${at}
    from ranked`.execute(db);
  await db.updateTable('tenants').set({ rfm_computed_at: now }).where('id', '=', tenantId).execute();
  return Number(result.numAffectedRows ?? 0);
}

/** Tenants whose scores are older than `staleBefore` or were never computed, least recently computed first. */
export async function staleRfmTenants(db: Db, staleBefore: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('tenants')
    .select('id')
    .where((eb) => eb.or([eb('rfm_computed_at', 'is', null), eb('rfm_computed_at', '<', staleBefore)]))
    .orderBy(sql`rfm_computed_at nulls first`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export function rfmSettings(db: Db, tenantId: string) {
  return db
    .selectFrom('tenants')
    .select(['rfm_computed_at', 'rfm_window_months', 'clv_horizon_months'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow();
}

/** Member counts and average monetary by R and F score (cells without members are absent). */
export function rfmGrid(db: Db, tenantId: string) {
  return db
    .selectFrom('member_rfm')
    .select(['r', 'f', sql<number>`count(*)::int`.as('members'), sql<number>`floor(avg(monetary))::int8`.as('average_monetary')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['r', 'f'])
    .execute();
}

/**
 * Members, and the sum and average of their monetary value, by R and F score (cells without members
 * are absent), over the scored members who made a posted purchase in [start, end) (at the store,
 * if given); without a window, every scored member.
 */
export async function rfmGridOf(db: Db, tenantId: string, filter: { start?: Date; end?: Date; storeId?: string | null }) {
  const bought = filter.start || filter.storeId
    ? sql`and exists (select 1 from transactions s where s.tenant_id = r.tenant_id and s.member_id = r.member_id and s.status = 'posted'
        ${filter.start ? sql`and s.occurred_at >= ${filter.start}` : sql``} ${filter.end ? sql`and s.occurred_at < ${filter.end}` : sql``}
        ${filter.storeId ? sql`and s.store_id = ${filter.storeId}` : sql``})`
    : sql``;
  const { rows } = await sql<{ r: number; f: number; members: number; monetary: number; average_monetary: number }>`
    select r.r, r.f, count(*)::int as members, sum(r.monetary)::int8 as monetary, floor(avg(r.monetary))::int8 as average_monetary
    from member_rfm r
    where r.tenant_id = ${tenantId} ${bought}
    group by r.r, r.f`.execute(db);
  return rows.map((row) => ({ r: Number(row.r), f: Number(row.f), members: Number(row.members), monetary: Number(row.monetary), averageMonetary: Number(row.average_monetary) }));
}

export function memberRfm(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('member_rfm')
    .select(['r', 'f', 'm', 'recency_days', 'frequency', 'monetary', 'clv', 'computed_at'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

export type MemberRfmRow = NonNullable<Awaited<ReturnType<typeof memberRfm>>>;

/** Count, spend and first and last purchase over all the member's posted sales. */
export async function purchaseSummary(db: Db, tenantId: string, memberId: string) {
  const { rows } = await sql<{ count: number; spend: number; first_at: Date | null; last_at: Date | null }>`
    select count(*)::int as count, coalesce(sum(${saleSpend}), 0)::int8 as spend, min(s.occurred_at) as first_at, max(s.occurred_at) as last_at
    from transactions s
    where s.tenant_id = ${tenantId} and s.member_id = ${memberId} and s.status = 'posted'`.execute(db);
  return rows[0];
}

/** Posted sales by ISO weekday (1 = Monday) and hour on the tenant's clock. */
export async function purchaseTimes(db: Db, tenantId: string, memberId: string, timeZone: string) {
  const { rows } = await sql<{ weekday: number; hour: number; count: number }>`
    select extract(isodow from s.occurred_at at time zone ${timeZone})::int as weekday,
      extract(hour from s.occurred_at at time zone ${timeZone})::int as hour, count(*)::int as count
    from transactions s
    where s.tenant_id = ${tenantId} and s.member_id = ${memberId} and s.status = 'posted'
    group by 1, 2`.execute(db);
  return rows;
}

/** The member's top categories by spend (net of refunds) over posted sales. */
export async function topCategories(db: Db, tenantId: string, memberId: string, limit: number) {
  const { rows } = await sql<{ category: string | null; quantity: number; spend: number }>`
    select l.category, sum(l.quantity - l.refunded_quantity)::int8 as quantity, sum(${lineSpend})::int8 as spend
    from transactions s
    join transaction_lines l on l.tenant_id = s.tenant_id and l.transaction_id = s.id
    where s.tenant_id = ${tenantId} and s.member_id = ${memberId} and s.status = 'posted'
    group by l.category
    order by spend desc, l.category nulls last
    limit ${limit}`.execute(db);
  return rows;
}
