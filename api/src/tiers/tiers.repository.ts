import { sql } from 'kysely';
import type { Db } from '../deps.ts';

const columns = ['id', 'code', 'name', 'rank', 'min_qualifying', 'earn_multiplier_pct', 'free_shipping'] as const;

export function listTiers(db: Db, tenantId: string) {
  return db.selectFrom('tiers').select(columns).where('tenant_id', '=', tenantId).orderBy('rank').execute();
}

export type TierRow = Awaited<ReturnType<typeof listTiers>>[number];

export function findTier(db: Db, tenantId: string, id: string) {
  return db.selectFrom('tiers').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function insertTier(db: Db, row: { tenant_id: string; id: string; code: string; name: string; rank: number; min_qualifying: number; earn_multiplier_pct: number; free_shipping: boolean }) {
  await db.insertInto('tiers').values(row).execute();
}

export async function updateTier(db: Db, tenantId: string, id: string, patch: { name?: string; rank?: number; min_qualifying?: number; earn_multiplier_pct?: number; free_shipping?: boolean }) {
  if (Object.values(patch).every((v) => v === undefined)) return;
  await db.updateTable('tiers').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Every tier of the tenant, locked in id order, so two deletions cannot each leave the other's tier as the last. */
export function lockTenantTiers(db: Db, tenantId: string) {
  return db.selectFrom('tiers').select(columns).where('tenant_id', '=', tenantId).orderBy('id').forUpdate().execute();
}

/** Holds the tier against deletion until the transaction ends; undefined if it is gone. */
export function shareTier(db: Db, tenantId: string, id: string) {
  return db.selectFrom('tiers').select('id').where('tenant_id', '=', tenantId).where('id', '=', id).forShare().executeTakeFirst();
}

export async function deleteTier(db: Db, tenantId: string, id: string) {
  await db.deleteFrom('tiers').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** What still names the tier: its members, and the programs whose conditions list its code. */
export async function tierUsage(db: Db, tenantId: string, id: string, code: string) {
  const names = (column: string) => sql<boolean>`jsonb_path_exists(${sql.ref(column)}, '$.**.tiers ? (@ == $code)', jsonb_build_object('code', ${code}::text))`;
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('members').select((m) => m.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('tier_id', '=', id).as('members'),
      eb.selectFrom('rewards').select((r) => r.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('status', '=', 'active')
        .where(sql<boolean>`${code}::text = any(tiers)`).as('rewards'),
      eb.selectFrom('promotions').select((p) => p.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('status', '<>', 'archived')
        .where(names('conditions')).as('promotions'),
      eb.selectFrom('earning_rules').select((r) => r.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where(names('conditions')).as('earningRules'),
      eb.selectFrom('segments').select((s) => s.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('status', '=', 'active')
        .where(names('rules')).as('segments'),
      eb.selectFrom('automations').select((a) => a.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('status', '<>', 'archived')
        .where('trigger_kind', '=', 'tier_change').where(sql<boolean>`${sql.ref('trigger')}->>'tier' = ${code}::text`).as('automations'),
    ])
    .executeTakeFirstOrThrow();
  return {
    members: Number(row.members), rewards: Number(row.rewards), promotions: Number(row.promotions), earningRules: Number(row.earningRules),
    segments: Number(row.segments), automations: Number(row.automations),
  };
}

export async function tierTaken(db: Db, tenantId: string, field: 'code' | 'rank', value: string | number, exceptId?: string) {
  let query = db.selectFrom('tiers').select('id').where('tenant_id', '=', tenantId).where(field, '=', value as never);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return Boolean(await query.executeTakeFirst());
}

/**
 * What counts towards a tier over the window ending at `until`: goods paid for (less refunds), or
 * points earned (less reversed), by the tenant's basis.
 */
/** `at` shifted by whole months on the tenant's calendar (31 March − 1 month = 28 February there). */
const monthsFrom = (at: Date | ReturnType<typeof sql>, months: number | ReturnType<typeof sql>, timeZone: string | ReturnType<typeof sql>) =>
  sql<Date>`((${at}::timestamptz at time zone ${timeZone}) + make_interval(months => ${months})) at time zone ${timeZone}`;

export async function qualifyingValue(db: Db, tenantId: string, memberId: string, basis: 'spend' | 'points', windowMonths: number, until: Date, timeZone: string) {
  const value = basis === 'spend'
    ? sql<number>`coalesce(sum(subtotal - discount - refunded_amount), 0)`
    : sql<number>`coalesce(sum(points_earned - points_reversed), 0)`;
  const row = await db
    .selectFrom('transactions')
    .select(value.as('value'))
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'posted')
    .where('occurred_at', '<=', until)
    .where('occurred_at', '>', monthsFrom(until, -windowMonths, timeZone))
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** Moves the member to a tier since `since`, reviewed a window later (the review's own interval arithmetic). */
export async function setMemberTier(db: Db, tenantId: string, memberId: string, tierId: string, since: Date, windowMonths: number, timeZone: string) {
  await db
    .updateTable('members')
    .set({ tier_id: tierId, tier_since: since, tier_review_at: monthsFrom(since, windowMonths, timeZone) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', memberId)
    .execute();
}

export function memberTier(db: Db, tenantId: string, memberId: string) {
  return db
    .selectFrom('members as m')
    .innerJoin('tiers as t', (j) => j.onRef('t.tenant_id', '=', 'm.tenant_id').onRef('t.id', '=', 'm.tier_id'))
    .select(['t.id', 't.code', 't.name', 't.rank', 't.min_qualifying', 't.earn_multiplier_pct', 't.free_shipping', 'm.tier_since', 'm.tier_review_at'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
}

/**
 * The anniversary review, set-based: members whose review date has passed keep their tier for
 * another window if they still qualify, else step down one tier (one step at a time).
 */
export async function reviewDueTiers(db: Db, now: Date, batchSize: number) {
  const result = await sql<{ downgraded: boolean; tenant_id: string; member_id: string; from_id: string; to_id: string }>`
    with due as (
      select m.tenant_id, m.id, m.tier_id, t.rank, t.min_qualifying, tn.tier_basis, tn.tier_window_months, tn.time_zone
      from members m
      join tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
      join tenants tn on tn.id = m.tenant_id
      where m.tier_review_at <= ${now}
      order by m.tenant_id, m.id
      limit ${batchSize}
      for update of m
    ), valued as (
      select due.*, coalesce((
        select sum(case when due.tier_basis = 'spend' then x.subtotal - x.discount - x.refunded_amount else x.points_earned - x.points_reversed end)
        from transactions x
        where x.tenant_id = due.tenant_id and x.member_id = due.id and x.status = 'posted'
          and x.occurred_at <= ${now} and x.occurred_at > ${monthsFrom(now, sql`-due.tier_window_months`, sql`due.time_zone`)}
      ), 0) as value,
      (select t2.id from tiers t2 where t2.tenant_id = due.tenant_id and t2.rank < due.rank order by t2.rank desc limit 1) as lower_id,
      (select count(*) from tiers t3 where t3.tenant_id = due.tenant_id and t3.rank < due.rank) as steps_below
      from due
    )
    update members m set
      tier_id = case when v.value >= v.min_qualifying or v.lower_id is null then v.tier_id else v.lower_id end,
      tier_since = case when v.value >= v.min_qualifying or v.lower_id is null then m.tier_since else ${now} end,
      tier_review_at = case
        when v.value >= v.min_qualifying then ${monthsFrom(now, sql`v.tier_window_months`, sql`v.time_zone`)}
        when v.steps_below > 1 then ${monthsFrom(now, sql`v.tier_window_months`, sql`v.time_zone`)}
        else null end
    from valued v where m.tenant_id = v.tenant_id and m.id = v.id
    returning (v.value < v.min_qualifying and v.lower_id is not null) as downgraded, m.tenant_id, m.id as member_id, v.tier_id as from_id, m.tier_id as to_id`.execute(db);
  return { reviewed: result.rows.length, downgrades: result.rows.filter((r) => r.downgraded) };
}

/** Tiers of several tenants (a cross-tenant job), each looked up within its own tenant. */
export function tiersWithIds(db: Db, refs: { tenantId: string; id: string }[]) {
  if (!refs.length) return Promise.resolve([]);
  return db
    .selectFrom('tiers')
    .select(['id', 'code', 'name'])
    .where((eb) => eb.or(refs.map((ref) => eb.and([eb('tenant_id', '=', ref.tenantId), eb('id', '=', ref.id)]))))
    .execute();
}
