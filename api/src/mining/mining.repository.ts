import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../deps.ts';

// Basket mining, set-based: each query is one statement over the window's sale lines (one snapshot,
// nothing loaded into JS but the result rows). The formulas are in mining.service.ts (MINING_FORMULAS).

export interface MiningWindow {
  tenantId: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  storeId: string | null;
}

/** Thresholds as exact decimals (compared in SQL numeric, never as floats). */
export interface PairThresholds {
  minSupport: string;
  minConfidence: string;
  minLift: string;
  minCount: number;
  limit: number;
}

export interface UpSellThresholds {
  minShare: string;
  minCount: number;
  limit: number;
}

/**
 * The lines that count: of posted sales in the window (and store), not fully refunded. A line's
 * category counts only when it is not blank.
 */
const countedLines = (w: MiningWindow) => sql`
  select t.id as basket, t.member_id, t.occurred_at, l.sku, case when btrim(l.category) <> '' then l.category end as category, l.name, l.unit_price
  from transactions t
  join transaction_lines l on l.tenant_id = t.tenant_id and l.transaction_id = t.id
  where t.tenant_id = ${w.tenantId} and l.tenant_id = ${w.tenantId} and t.status = 'posted'
    and t.occurred_at >= ${w.from}::timestamptz and t.occurred_at < ${w.to}::timestamptz
    ${w.storeId ? sql`and t.store_id = ${w.storeId}` : sql``}
    and l.refunded_quantity < l.quantity`;

export interface PairRow {
  baskets: number;
  a: string | null;
  b: string | null;
  a_name: string | null;
  b_name: string | null;
  with_a: number;
  with_b: number;
  with_both: number;
  support: number;
  confidence: number;
  lift: number;
}

/**
 * Co-purchase pairs (A → B, A ≠ B) at SKU or category level. The first row always carries the
 * window's basket count; when no pair passes the thresholds it is the only row, with a null `a`.
 * An item in fewer than max(minCount, minSupport × baskets) baskets cannot be in a pair that
 * passes, so items are pruned before the self-join (exact: the thresholds only prune).
 */
export async function coPurchasePairs(db: Db, w: MiningWindow, level: 'sku' | 'category', t: PairThresholds): Promise<PairRow[]> {
  const item: RawBuilder<unknown> = level === 'sku' ? sql`sku` : sql`category`;
  // Names at SKU level only (a category is its own name).
  const name: RawBuilder<unknown> = level === 'sku' ? sql`max(name)` : sql`null::text`;
  const { rows } = await sql<PairRow>`
    with lines as (${countedLines(w)}),
    basket_items as materialized (
      select basket, ${item} as item, ${name} as name from lines group by basket, ${item}
    ),
    totals as (
      select count(*)::int8 as baskets from (select basket from basket_items group by basket) b
    ),
    item_counts as (
      select item, count(*)::int8 as n, max(name) as name from basket_items where item is not null group by item
    ),
    frequent as materialized (
      select bi.basket, bi.item
      from basket_items bi
      join item_counts c on c.item = bi.item
      cross join totals tot
      where c.n >= greatest(${t.minCount}::int8, ${t.minSupport}::numeric * tot.baskets)
    ),
    -- Each unordered pair once (a < b): the count is the same both ways.
    pair_counts as (
      select a.item as a, b.item as b, count(*)::int8 as with_both
      from frequent a
      join frequent b on b.basket = a.basket and b.item > a.item
      group by a.item, b.item
      having count(*) >= ${t.minCount}::int8
    ),
    pairs as (
      select a, b, with_both from pair_counts
      union all
      select b, a, with_both from pair_counts
    ),
    ranked as (
      select p.a, p.b, ca.name as a_name, cb.name as b_name, ca.n as with_a, cb.n as with_b, p.with_both,
        round(p.with_both::numeric / tot.baskets, 4)::float8 as support,
        round(p.with_both::numeric / ca.n, 4)::float8 as confidence,
        round((p.with_both::numeric * tot.baskets) / (ca.n::numeric * cb.n), 4)::float8 as lift,
        (p.with_both::numeric * tot.baskets) / (ca.n::numeric * cb.n) as exact_lift,
        p.with_both::numeric / ca.n as exact_confidence
      from pairs p
      join item_counts ca on ca.item = p.a
      join item_counts cb on cb.item = p.b
      cross join totals tot
      where p.with_both >= ${t.minSupport}::numeric * tot.baskets
        and p.with_both >= ${t.minConfidence}::numeric * ca.n
        and p.with_both::numeric * tot.baskets >= ${t.minLift}::numeric * ca.n * cb.n
    ),
    top as (
      select *, row_number() over (
        order by exact_lift desc, exact_confidence desc, with_both desc, a collate "C", b collate "C") as rank
      from ranked
    )
    select tot.baskets, top.a, top.b, top.a_name, top.b_name, top.with_a, top.with_b, top.with_both, top.support, top.confidence, top.lift
    from totals tot
    left join top on top.rank <= ${t.limit}
    order by top.rank`.execute(db);
  return rows;
}

export interface UpSellRow {
  baskets: number;
  category: string | null;
  x: string | null;
  y: string | null;
  x_name: string | null;
  y_name: string | null;
  x_price: number;
  y_price: number;
  buyers: number;
  members: number;
  share: number;
}

/**
 * Up-sell candidates (X → Y in one category, Y's median price above X's): members who bought X and
 * later bought Y, out of X's buyers. Like coPurchasePairs, the first row carries the basket count
 * and is the only one (with a null `x`) when nothing passes.
 */
export async function upSellCandidates(db: Db, w: MiningWindow, t: UpSellThresholds): Promise<UpSellRow[]> {
  const { rows } = await sql<UpSellRow>`
    with lines as materialized (${countedLines(w)}),
    totals as (
      select count(*)::int8 as baskets from (select basket from lines group by basket) b
    ),
    -- Each SKU's prices and how many lines had each: the median from these few rows, not a sort of every line.
    price_counts as (
      select category, sku, unit_price, count(*) as n, max(name) as name
      from lines where category is not null
      group by category, sku, unit_price
    ),
    skus as materialized (
      -- percentile_disc(0.5): the least price whose lines, with the cheaper ones, are at least half.
      select category, sku, max(name) as name, min(unit_price) filter (where 2 * at_or_below >= lines) as price
      from (
        select p.*, sum(n) over (partition by category, sku order by unit_price) as at_or_below, sum(n) over (partition by category, sku) as lines
        from price_counts p
      ) h
      group by category, sku
    ),
    bought as (
      select member_id, category, sku, min(occurred_at) as first_at, max(occurred_at) as last_at
      from lines where member_id is not null and category is not null
      group by member_id, category, sku
    ),
    buyers as (
      select category, sku, count(*)::int8 as n from bought group by category, sku
    ),
    candidates as materialized (
      select b.member_id, b.category, b.sku, b.first_at, b.last_at, s.price
      from bought b
      join buyers n on n.category = b.category and n.sku = b.sku
      join skus s on s.category = b.category and s.sku = b.sku
      where n.n >= ${t.minCount}::int8
    ),
    ups as (
      select x.category, x.sku as x, y.sku as y, count(*)::int8 as members
      from candidates x
      join candidates y on y.member_id = x.member_id and y.category = x.category and y.price > x.price and y.last_at > x.first_at
      group by x.category, x.sku, y.sku
      having count(*) >= ${t.minCount}::int8
    ),
    ranked as (
      select u.category, u.x, u.y, sx.name as x_name, sy.name as y_name, sx.price as x_price, sy.price as y_price,
        n.n as buyers, u.members, round(u.members::numeric / n.n, 4)::float8 as share, u.members::numeric / n.n as exact_share
      from ups u
      join buyers n on n.category = u.category and n.sku = u.x
      join skus sx on sx.category = u.category and sx.sku = u.x
      join skus sy on sy.category = u.category and sy.sku = u.y
      where u.members >= ${t.minShare}::numeric * n.n
    ),
    top as (
      select *, row_number() over (
        order by members desc, exact_share desc, y_price - x_price desc, category collate "C", x collate "C", y collate "C") as rank
      from ranked
    )
    select tot.baskets, top.category, top.x, top.y, top.x_name, top.y_name, top.x_price, top.y_price, top.buyers, top.members, top.share
    from totals tot
    left join top on top.rank <= ${t.limit}
    order by top.rank`.execute(db);
  return rows;
}

/**
 * For this transaction only (SET LOCAL; the caller holds one): more memory for the sorts and hashes
 * (the pair counts), instead of spilling to disk; and no JIT compilation, which the planner's
 * estimates over the CTEs (far off, both ways) would otherwise switch on at a cost of about a second.
 */
export async function tuneForMining(db: Db) {
  await sql`set local work_mem = '64MB'`.execute(db);
  await sql`set local jit = off`.execute(db);
}
