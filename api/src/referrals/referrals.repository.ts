import { sql } from 'kysely';
import type { ReferralRefusal } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function insertReferral(db: Db, row: { tenant_id: string; id: string; referrer_id: string; referee_id: string }) {
  await db.insertInto('referrals').values(row).execute();
}

/** The referee's referral while it waits for a qualifying purchase, locked. */
export function lockPendingReferral(db: Db, tenantId: string, refereeId: string) {
  return db
    .selectFrom('referrals')
    .select(['id', 'referrer_id'])
    .where('tenant_id', '=', tenantId)
    .where('referee_id', '=', refereeId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
}

export function peopleOf(db: Db, tenantId: string, ids: string[]) {
  return db.selectFrom('members').select(['id', 'phone', 'email', 'status']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

export async function isFormerPhoneOf(db: Db, tenantId: string, memberId: string, phoneHash: Buffer): Promise<boolean> {
  const row = await db
    .selectFrom('member_former_phones')
    .select('member_id')
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('phone_hash', '=', phoneHash)
    .executeTakeFirst();
  return Boolean(row);
}

export async function rewardedSince(db: Db, tenantId: string, referrerId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('referrals')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId)
    .where('referrer_id', '=', referrerId)
    .where('status', '=', 'rewarded')
    .where('decided_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks the phone as rewarded for `purpose`; false when it already was (one reward per phone, ever). */
export async function claimPhone(db: Db, tenantId: string, purpose: 'welcome' | 'referral', phoneHash: Buffer): Promise<boolean> {
  const row = await db
    .insertInto('rewarded_phones')
    .values({ tenant_id: tenantId, purpose, phone_hash: phoneHash })
    .onConflict((oc) => oc.doNothing())
    .returning('purpose')
    .executeTakeFirst();
  return Boolean(row);
}

export async function decide(
  db: Db,
  tenantId: string,
  id: string,
  decision: { status: 'rewarded'; referrer_points: number; referee_points: number; transaction_id: string } | { status: 'refused'; reason: ReferralRefusal; transaction_id: string },
  at: Date,
) {
  await db.updateTable('referrals').set({ ...decision, decided_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export interface ReferralFilter {
  referrerId?: string;
  refereeId?: string;
  status?: 'pending' | 'rewarded' | 'refused';
}

export function listReferrals(db: Db, tenantId: string, filter: ReferralFilter, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('referrals as r')
    .innerJoin('members as a', (j) => j.onRef('a.tenant_id', '=', 'r.tenant_id').onRef('a.id', '=', 'r.referrer_id'))
    .innerJoin('members as b', (j) => j.onRef('b.tenant_id', '=', 'r.tenant_id').onRef('b.id', '=', 'r.referee_id'))
    .select([
      'r.id', 'r.status', 'r.reason', 'r.referrer_points', 'r.referee_points', 'r.transaction_id', 'r.created_at', 'r.decided_at',
      'a.id as referrer_id', 'a.name as referrer_name', 'b.id as referee_id', 'b.name as referee_name',
    ])
    .where('r.tenant_id', '=', tenantId)
    .orderBy('r.id', 'desc')
    .limit(limit + 1);
  if (filter.referrerId) query = query.where('r.referrer_id', '=', filter.referrerId);
  if (filter.refereeId) query = query.where('r.referee_id', '=', filter.refereeId);
  if (filter.status) query = query.where('r.status', '=', filter.status);
  if (beforeId) query = query.where('r.id', '<', beforeId);
  return query.execute();
}

export type ReferralRow = Awaited<ReturnType<typeof listReferrals>>[number];

/** Per status and reason, for the report's headline figures. */
export function referralTotals(db: Db, tenantId: string, since: Date | null) {
  let query = db
    .selectFrom('referrals')
    .select(['status', 'reason', sql<number>`count(*)::int`.as('count'), sql<number>`coalesce(sum(referrer_points + referee_points), 0)::int8`.as('points')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['status', 'reason']);
  if (since) query = query.where('created_at', '>=', since);
  return query.execute();
}

/** The referrers who brought the most rewarded referrals. */
export function topReferrers(db: Db, tenantId: string, since: Date | null, limit = 10) {
  let query = db
    .selectFrom('referrals as r')
    .innerJoin('members as a', (j) => j.onRef('a.tenant_id', '=', 'r.tenant_id').onRef('a.id', '=', 'r.referrer_id'))
    .select([
      'a.id', 'a.name',
      sql<number>`count(*)::int`.as('referred'),
      sql<number>`(count(*) filter (where r.status = 'rewarded'))::int`.as('rewarded'),
      sql<number>`coalesce(sum(r.referrer_points), 0)::int8`.as('points'),
    ])
    .where('r.tenant_id', '=', tenantId)
    .groupBy(['a.id', 'a.name'])
    .orderBy('rewarded', 'desc')
    .orderBy('referred', 'desc')
    .orderBy('a.id')
    .limit(limit);
  if (since) query = query.where('r.created_at', '>=', since);
  return query.execute();
}

export function findMemberByReferralCode(db: Db, tenantId: string, code: string) {
  return db.selectFrom('members').select(['id', 'status']).where('tenant_id', '=', tenantId).where('referral_code', '=', code).executeTakeFirst();
}

export async function referralCountsOf(db: Db, tenantId: string, referrerId: string) {
  const row = await db
    .selectFrom('referrals')
    .select([sql<number>`count(*)::int`.as('joined'), sql<number>`(count(*) filter (where status = 'rewarded'))::int`.as('rewarded')])
    .where('tenant_id', '=', tenantId)
    .where('referrer_id', '=', referrerId)
    .executeTakeFirstOrThrow();
  return { joined: Number(row.joined), rewarded: Number(row.rewarded) };
}
