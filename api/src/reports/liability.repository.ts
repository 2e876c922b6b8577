import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export async function outstanding(db: Db, tenantId: string) {
  const row = await db
    .selectFrom('point_accounts')
    .select([
      sql<number>`coalesce(sum(balance), 0)`.as('points'),
      sql<number>`coalesce(sum(pending), 0)`.as('pending'),
      sql<number>`coalesce(sum(debt), 0)`.as('debt'),
      sql<number>`count(*) filter (where balance > 0)`.as('members'),
    ])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return { points: Number(row.points), pending: Number(row.pending), debt: Number(row.debt), members: Number(row.members) };
}

export async function byTier(db: Db, tenantId: string) {
  const { rows } = await sql<{ code: string; name: string; members: number; points: number }>`
    select t.code, t.name, count(m.id) as members, coalesce(sum(a.balance), 0) as points
    from tiers t
    left join members m on m.tenant_id = t.tenant_id and m.tier_id = t.id
    left join point_accounts a on a.tenant_id = m.tenant_id and a.member_id = m.id
    where t.tenant_id = ${tenantId}
    group by t.code, t.name, t.rank order by t.rank`.execute(db);
  return rows.map((r) => ({ code: r.code, name: r.name, members: Number(r.members), points: Number(r.points) }));
}

/** Outstanding points by the store where they were earned; adjustments and returns have none. */
export async function byStore(db: Db, tenantId: string) {
  const { rows } = await sql<{ store_id: string | null; name: string | null; points: number }>`
    select s.id as store_id, s.name, sum(l.remaining) as points
    from point_lots l
    left join transactions x on x.tenant_id = l.tenant_id and x.id = l.transaction_id
    left join stores s on s.tenant_id = x.tenant_id and s.id = x.store_id
    where l.tenant_id = ${tenantId} and l.status = 'posted' and l.remaining > 0
    group by s.id, s.name order by points desc`.execute(db);
  return rows.map((r) => ({ storeId: r.store_id, name: r.name, points: Number(r.points) }));
}

export async function expiringWithin(db: Db, tenantId: string, now: Date, days: number[]) {
  const { rows } = await sql<Record<string, number>>`
    select ${sql.join(days.map((d) => sql`coalesce(sum(remaining) filter (where expires_at <= ${now}::timestamptz + make_interval(days => ${d})), 0) as ${sql.ref(`d${d}`)}`))}
    from point_lots
    where tenant_id = ${tenantId} and status = 'posted' and remaining > 0 and expires_at is not null`.execute(db);
  return days.map((d) => ({ days: d, points: Number(rows[0]?.[`d${d}`] ?? 0) }));
}

/** Points issued, redeemed, expired and reversed per local month, over the last `months`. */
export async function monthlyFlows(db: Db, tenantId: string, timeZone: string, months: number) {
  const { rows } = await sql<{ month: string; issued: number; redeemed: number; expired: number; reversed: number }>`
    select to_char(date_trunc('month', created_at at time zone ${timeZone}), 'YYYY-MM') as month,
      coalesce(sum(points) filter (where kind in ('earn', 'bonus', 'return', 'opening') and bucket <> 'pending' and points > 0), 0) +
      coalesce(sum(points) filter (where kind = 'adjust' and points > 0), 0) as issued,
      coalesce(-sum(points) filter (where kind = 'redeem' or (kind = 'adjust' and points < 0)), 0) as redeemed,
      coalesce(-sum(points) filter (where kind = 'expire'), 0) as expired,
      coalesce(-sum(points) filter (where kind in ('reverse', 'repay')), 0) as reversed
    from point_entries
    where tenant_id = ${tenantId} and bucket = 'balance'
      and created_at >= date_trunc('month', now() at time zone ${timeZone}) at time zone ${timeZone} - make_interval(months => ${months - 1})
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ month: r.month, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired), reversed: Number(r.reversed) }));
}

/** Members with posted points expiring by `until` (newest members first, keyset by id): who to remind. */
export async function membersWithExpiringPoints(db: Db, tenantId: string, until: Date, limit: number, afterMemberId?: string) {
  const { rows } = await sql<{ id: string; name: string; phone: string; marketing_opt_in: boolean; points: number; first_expiry: Date }>`
    select m.id, m.name, m.phone, m.marketing_opt_in, sum(l.remaining) as points, min(l.expires_at) as first_expiry
    from point_lots l
    join point_accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
    join members m on m.tenant_id = a.tenant_id and m.id = a.member_id
    where l.tenant_id = ${tenantId} and l.status = 'posted' and l.remaining > 0 and l.expires_at <= ${until}
      and m.status = 'active' ${afterMemberId ? sql`and m.id < ${afterMemberId}` : sql``}
    group by m.id, m.name, m.phone, m.marketing_opt_in
    order by m.id desc
    limit ${limit + 1}`.execute(db);
  return rows;
}
