import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// A member's lifecycle stage is a function of the first and last purchase, the purchase that ended
// a lapse, the clock and the tenant's thresholds (in days). It lives here once, as SQL, for both
// the sale (one member, at once) and the scheduled job (every member whose stage the clock moved):
//   prospect  no purchase yet
//   lapsed    last purchase more than lapsed_days ago
//   at_risk   last purchase more than at_risk_days ago
//   won_back  a purchase after a lapse, within new_days of it
//   new       first purchase within new_days
//   active    otherwise
// Every change of stage is written to member_stage_history in the same statement.
const stageAt = (now: Date) => sql<string>`
  case
    when m.last_purchase_at is null then 'prospect'
    when m.last_purchase_at < ${now}::timestamptz - make_interval(days => t.lifecycle_lapsed_days) then 'lapsed'
    when m.last_purchase_at < ${now}::timestamptz - make_interval(days => t.lifecycle_at_risk_days) then 'at_risk'
    when m.won_back_at >= ${now}::timestamptz - make_interval(days => t.lifecycle_new_days) then 'won_back'
    when m.first_purchase_at >= ${now}::timestamptz - make_interval(days => t.lifecycle_new_days) then 'new'
    else 'active'
  end`;

/**
 * Brings stages up to date at `now`: one member, a tenant, or everyone. Returns how many changed.
 * Merged members keep the stage they had.
 */
export async function refreshStages(db: Db, now: Date, scope: { tenantId?: string; memberId?: string } = {}): Promise<number> {
  const where = [sql`m.status <> 'merged'`];
  if (scope.tenantId) where.push(sql`m.tenant_id = ${scope.tenantId}`);
  if (scope.memberId) where.push(sql`m.id = ${scope.memberId}`);
  const result = await sql<{ changed: number }>`
    with next as (
      select m.tenant_id, m.id, m.lifecycle_stage as from_stage, ${stageAt(now)} as to_stage
      from members m join tenants t on t.id = m.tenant_id
      where ${sql.join(where, sql` and `)}
    ), changed as (
      update members m set lifecycle_stage = n.to_stage, stage_changed_at = ${now}
      from next n
      where m.tenant_id = n.tenant_id and m.id = n.id and n.to_stage <> n.from_stage
      returning m.tenant_id, m.id, n.from_stage, n.to_stage
    ), logged as (
      insert into member_stage_history (tenant_id, id, member_id, from_stage, to_stage, changed_at)
      select tenant_id, kartu_uuidv7(), id, from_stage, to_stage, ${now} from changed
      returning 1
    )
    select count(*)::int as changed from logged`.execute(db);
  return Number(result.rows[0]?.changed ?? 0);
}

/** Notes that the clock moves the retailer's stages at `now`, unless it did after `since`: whether it was noted. */
export async function claimStageRefresh(db: Db, tenantId: string, now: Date, since: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('tenants')
    .set({ stages_refreshed_at: now })
    .where('id', '=', tenantId)
    .where((eb) => eb.or([eb('stages_refreshed_at', 'is', null), eb('stages_refreshed_at', '<=', since)]))
    .returning('id')
    .executeTakeFirst();
  return Boolean(claimed);
}

/**
 * Records a posted purchase on the member: first and last purchase, and a win-back when the
 * previous purchase was longer ago than the lapse threshold. Returns the member's referrer (a
 * referral may now qualify), or null.
 */
export async function recordPurchase(db: Db, tenantId: string, memberId: string, at: Date) {
  return db
    .updateTable('members as m')
    .from('tenants as t')
    .set({
      first_purchase_at: sql`least(coalesce(m.first_purchase_at, ${at}), ${at})`,
      last_purchase_at: sql`greatest(coalesce(m.last_purchase_at, ${at}), ${at})`,
      won_back_at: sql`case when m.last_purchase_at < ${at}::timestamptz - make_interval(days => t.lifecycle_lapsed_days) then ${at}::timestamptz else m.won_back_at end`,
    })
    .whereRef('t.id', '=', 'm.tenant_id')
    .where('m.tenant_id', '=', tenantId)
    .where('m.id', '=', memberId)
    .returning(['m.referred_by'])
    .executeTakeFirst();
}

export function stageHistory(db: Db, tenantId: string, memberId: string, limit = 50) {
  return db
    .selectFrom('member_stage_history')
    .select(['from_stage', 'to_stage', 'changed_at'])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** After a void: first and last purchase as the member's posted sales now say. */
export async function recountPurchases(db: Db, tenantId: string, memberId: string) {
  await sql`
    update members m set first_purchase_at = s.first_at, last_purchase_at = s.last_at
    from (select min(occurred_at) as first_at, max(occurred_at) as last_at from transactions
          where tenant_id = ${tenantId} and member_id = ${memberId} and status = 'posted') s
    where m.tenant_id = ${tenantId} and m.id = ${memberId}`.execute(db);
}

/** The first entry of a new member's history. */
export async function insertFirstStage(db: Db, tenantId: string, memberId: string) {
  await sql`insert into member_stage_history (tenant_id, id, member_id, from_stage, to_stage) values (${tenantId}, kartu_uuidv7(), ${memberId}, null, 'prospect')`.execute(db);
}
