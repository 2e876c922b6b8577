import { sql } from 'kysely';
import type { Db } from '../deps.ts';

/**
 * The program reports' SQL (program-reports.service.ts documents the definitions). All set-based;
 * `start` is inclusive and `end` exclusive, both instants of local midnights on the tenant's clock.
 */
export interface Scope {
  tenantId: string;
  timeZone: string;
  start: Date;
  end: Date;
  /** Only purchases (and what is tied to them) at this store. */
  storeId: string | null;
}

const atStore = (column: ReturnType<typeof sql.ref>, storeId: string | null) => (storeId ? sql`and ${column} = ${storeId}` : sql``);

export async function storeExists(db: Db, tenantId: string, storeId: string) {
  const row = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', storeId).executeTakeFirst();
  return Boolean(row);
}

/** By source: members who joined in the period, and of them those with ≥ 1 and ≥ 2 posted purchases by its end. */
export async function funnel(db: Db, s: Scope) {
  const { rows } = await sql<{ source: string; prospects: number; first_purchase: number; repeat_purchase: number }>`
    with joined as (
      select m.id, m.source::text as source from members m
      where m.tenant_id = ${s.tenantId} and m.status <> 'merged' and m.created_at >= ${s.start} and m.created_at < ${s.end}
    ), bought as (
      select x.member_id, count(*)::int as purchases
      from transactions x join joined j on j.id = x.member_id
      where x.tenant_id = ${s.tenantId} and x.status = 'posted' and x.occurred_at < ${s.end} ${atStore(sql.ref('x.store_id'), s.storeId)}
      group by x.member_id
    )
    select j.source, count(*)::int as prospects,
      (count(*) filter (where b.purchases >= 1))::int as first_purchase,
      (count(*) filter (where b.purchases >= 2))::int as repeat_purchase
    from joined j left join bought b on b.member_id = j.id
    group by j.source`.execute(db);
  return rows;
}

/** Members who joined in the period by local join month. */
export async function cohortSizes(db: Db, s: Scope) {
  const { rows } = await sql<{ cohort: string; members: number }>`
    select to_char(date_trunc('month', m.created_at at time zone ${s.timeZone}), 'YYYY-MM') as cohort, count(*)::int as members
    from members m
    where m.tenant_id = ${s.tenantId} and m.status <> 'merged' and m.created_at >= ${s.start} and m.created_at < ${s.end}
    group by 1`.execute(db);
  return rows;
}

/** Of each join month's members, how many made a posted purchase in the k-th local month after it (up to the period's end). */
export async function cohortActivity(db: Db, s: Scope) {
  const { rows } = await sql<{ cohort: string; month_offset: number; active: number }>`
    with cohort as (
      select m.id, date_trunc('month', m.created_at at time zone ${s.timeZone}) as month
      from members m
      where m.tenant_id = ${s.tenantId} and m.status <> 'merged' and m.created_at >= ${s.start} and m.created_at < ${s.end}
    ), active as (
      select distinct x.member_id, date_trunc('month', x.occurred_at at time zone ${s.timeZone}) as month
      from transactions x join cohort c on c.id = x.member_id
      where x.tenant_id = ${s.tenantId} and x.status = 'posted' and x.occurred_at < ${s.end} ${atStore(sql.ref('x.store_id'), s.storeId)}
    )
    select to_char(c.month, 'YYYY-MM') as cohort,
      ((extract(year from a.month) - extract(year from c.month)) * 12 + extract(month from a.month) - extract(month from c.month))::int as month_offset,
      count(*)::int as active
    from cohort c join active a on a.member_id = c.id and a.month >= c.month
    group by 1, 2`.execute(db);
  return rows;
}

export type Bucket = 'day' | 'week' | 'month';

/**
 * One row per local day, ISO week (Monday) or month touching the period: members with a posted
 * purchase in it, members who joined in it, and all members joined by its end.
 */
export async function activeOverTime(db: Db, s: Scope, bucket: Bucket, from: string, to: string) {
  const unit = sql.lit(bucket);
  const { rows } = await sql<{ bucket: string; active: number; joined: number; total: number }>`
    with buckets as (
      select b::date as bucket from generate_series(date_trunc(${unit}, ${from}::date::timestamp), ${to}::date::timestamp, ${sql.lit(`1 ${bucket}`)}::interval) b
    ), active as (
      select date_trunc(${unit}, x.occurred_at at time zone ${s.timeZone})::date as bucket, count(distinct x.member_id)::int as n
      from transactions x
      where x.tenant_id = ${s.tenantId} and x.status = 'posted' and x.member_id is not null
        and x.occurred_at >= ${s.start} and x.occurred_at < ${s.end} ${atStore(sql.ref('x.store_id'), s.storeId)}
      group by 1
    ), joined as (
      select date_trunc(${unit}, m.created_at at time zone ${s.timeZone})::date as bucket, count(*)::int as n
      from members m
      where m.tenant_id = ${s.tenantId} and m.status <> 'merged' and m.created_at >= ${s.start} and m.created_at < ${s.end}
      group by 1
    ), before as (
      select count(*)::int as n from members m
      where m.tenant_id = ${s.tenantId} and m.status <> 'merged' and m.created_at < ${s.start}
    )
    select to_char(b.bucket, 'YYYY-MM-DD') as bucket, coalesce(a.n, 0)::int as active, coalesce(j.n, 0)::int as joined,
      (before.n + sum(coalesce(j.n, 0)) over (order by b.bucket))::int as total
    from buckets b cross join before
    left join active a on a.bucket = b.bucket
    left join joined j on j.bucket = b.bucket
    order by b.bucket`.execute(db);
  return rows;
}

/**
 * Points issued (earned at a sale, pending or not, and bonuses), redeemed (spent, less what came
 * back) and expired in the period. A sale's own earned, bonus and spent points count at the sale's
 * time; everything else when it was written. With a store, only entries tied to a sale there. Nothing of a voided sale.
 */
export async function pointFlows(db: Db, s: Scope) {
  const { rows } = await sql<{ issued: number; redeemed: number; expired: number }>`
    with entries as (${flowEntries(s)})
    select ${flowSums}
    from entries
    where at >= ${s.start} and at < ${s.end}`.execute(db);
  return rows[0];
}

/** `pointFlows` per local day or month of the period (only the buckets with entries). */
export async function pointFlowsOverTime(db: Db, s: Scope, bucket: 'day' | 'month') {
  const { rows } = await sql<{ bucket: string; issued: number; redeemed: number; expired: number }>`
    with entries as (${flowEntries(s)})
    select to_char(date_trunc(${sql.lit(bucket)}, entries.at at time zone ${s.timeZone}), 'YYYY-MM-DD') as bucket, ${flowSums}
    from entries
    where at >= ${s.start} and at < ${s.end}
    group by 1 order by 1`.execute(db);
  return rows;
}

/** The point entries that can fall in the period, each with the instant it counts at (see `pointFlows`). */
const flowEntries = (s: Scope) => sql`
      select e.kind, e.bucket, e.points, e.reference,
        case when e.kind in ('earn', 'bonus', 'redeem') and x.id is not null then x.occurred_at else e.created_at end as at
      from point_entries e
      left join transactions x on x.tenant_id = e.tenant_id and x.id = e.transaction_id
      where e.tenant_id = ${s.tenantId} ${atStore(sql.ref('x.store_id'), s.storeId)}
        -- A voided sale never happened: neither what it earned or spent nor what the void took back or gave back counts.
        and (x.id is null or x.status <> 'voided')
        -- A sale's entries are written at most a day before (clock skew) and 31 days after it (backdated sales,
        -- claims); imports write them at the sale's time. So only entries written near the period can fall in it.
        and e.created_at >= ${s.start}::timestamptz - interval '1 day' and e.created_at < ${s.end}::timestamptz + interval '31 days'`;

const flowSums = sql`
      coalesce(sum(points) filter (where kind in ('earn', 'bonus') and points > 0 and bucket <> 'debt'
        and not (kind = 'earn' and bucket = 'balance' and reference = 'return window over')), 0)::int8 as issued,
      (coalesce(-sum(points) filter (where kind = 'redeem'), 0) - coalesce(sum(points) filter (where kind = 'return'), 0))::int8 as redeemed,
      coalesce(-sum(points) filter (where kind = 'expire'), 0)::int8 as expired`;

/**
 * Voucher codes issued in the period by their batch's origin. With a store, only vouchers issued
 * there: a reward redeemed at the store, or an offer first shown there.
 */
export async function vouchersIssued(db: Db, s: Scope) {
  const store = s.storeId
    ? sql`and (exists (select 1 from reward_redemptions rr where rr.tenant_id = v.tenant_id and rr.voucher_id = v.id and rr.store_id = ${s.storeId})
          or (select oi.store_id from offer_impressions oi where oi.tenant_id = v.tenant_id and oi.voucher_id = v.id order by oi.shown_at limit 1) = ${s.storeId})`
    : sql``;
  const { rows } = await sql<{ origin: string; issued: number }>`
    select b.origin::text as origin, count(*)::int as issued
    from vouchers v join voucher_batches b on b.tenant_id = v.tenant_id and b.id = v.batch_id
    where v.tenant_id = ${s.tenantId} and v.created_at >= ${s.start} and v.created_at < ${s.end} ${store}
    group by 1`.execute(db);
  return rows;
}

/** Voucher uses (not cancelled) in the period by origin, at the sale's time when used on one; with a store, used there. */
export async function vouchersRedeemed(db: Db, s: Scope) {
  const { rows } = await sql<{ origin: string; redeemed: number; amount: number }>`
    select b.origin::text as origin, count(*)::int as redeemed, coalesce(sum(r.amount), 0)::int8 as amount
    from voucher_redemptions r
    join vouchers v on v.tenant_id = r.tenant_id and v.id = r.voucher_id
    join voucher_batches b on b.tenant_id = v.tenant_id and b.id = v.batch_id
    left join transactions x on x.tenant_id = r.tenant_id and x.id = r.transaction_id
    where r.tenant_id = ${s.tenantId} and r.status = 'redeemed'
      and coalesce(x.occurred_at, r.created_at) >= ${s.start} and coalesce(x.occurred_at, r.created_at) < ${s.end}
      ${atStore(sql.ref('r.store_id'), s.storeId)}
    group by 1`.execute(db);
  return rows;
}

/** Rewards redeemed (not cancelled) in the period, by reward; with a store, redeemed there. */
export async function rewardsRedeemed(db: Db, s: Scope) {
  const { rows } = await sql<{ reward_id: string; name: string; redeemed: number; points: number }>`
    select w.id as reward_id, w.name, count(*)::int as redeemed, coalesce(sum(rr.points), 0)::int8 as points
    from reward_redemptions rr join rewards w on w.tenant_id = rr.tenant_id and w.id = rr.reward_id
    where rr.tenant_id = ${s.tenantId} and rr.status <> 'cancelled' and rr.created_at >= ${s.start} and rr.created_at < ${s.end}
      ${atStore(sql.ref('rr.store_id'), s.storeId)}
    group by w.id, w.name
    order by redeemed desc, w.name`.execute(db);
  return rows;
}

/** Every offer of the tenant (any status), newest first: the rows of the offer results report. */
export function allOffers(db: Db, tenantId: string) {
  return db
    .selectFrom('offers')
    .select(['id', 'name', 'kind', 'status'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
