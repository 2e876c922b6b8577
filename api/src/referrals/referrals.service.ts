import { sql } from 'kysely';
import type { ReferralRefusal } from '@kartu/db';
import type { Db } from '../deps.ts';
import { credit, lockAccounts } from '../ledger/ledger.service.ts';
import { phoneHash } from '../members/phone-hash.ts';
import { expiresAt, policyOf, startOfLocalMonth } from '../points/policy.ts';
import { invalidField } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { pageOf } from '../shared/page.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { normaliseVoucherCode } from '../vouchers/voucher-code.ts';
import * as repo from './referrals.repository.ts';

// Referrals. A member who joins with another's referral code starts a pending referral. Both sides
// are rewarded once the new member has proven their phone and their first qualifying purchase
// (goods after discounts and refunds, above 0 and at least referral_min_spend) has been posted for
// longer than the tenant's return window — counted from posting, not from the date a sale carries —
// so a purchase refunded at once rewards nobody. The job below decides each referral once, and
// records why it refused:
//   referrer_inactive       the referrer was blocked or merged away
//   self_referral           the new member's email, or a number the referrer used to have, is the
//                           referrer's; or a merge made them one member
//   duplicate_member        (by a merge) the friend's membership merged into one referred already
//   phone_already_rewarded  this phone number brought a referral reward before (kept as a keyed hash,
//                           through erasure and phone changes: one reward per phone, ever)
//   referrer_monthly_cap    the referrer already has the tenant's cap of rewarded referrals this month

/** The member a typed referral code belongs to (case, spaces and hyphens ignored). */
export async function referrerOf(db: Db, tenantId: string, code: string, field = 'body.referralCode'): Promise<string> {
  const referrer = await repo.findMemberByReferralCode(db, tenantId, normaliseVoucherCode(code.normalize('NFKC')));
  if (!referrer || referrer.status !== 'active') throw invalidField(field, 'No member has this referral code');
  return referrer.id;
}

export async function startReferral(trx: Db, tenantId: string, referrerId: string, refereeId: string) {
  await repo.insertReferral(trx, { tenant_id: tenantId, id: newId(), referrer_id: referrerId, referee_id: refereeId });
}

interface Due {
  tenant_id: string;
  id: string;
  referrer_id: string;
  referee_id: string;
  transaction_id: string;
}

/** Referrals whose new member has made a qualifying purchase that is past the return window. */
function dueReferrals(db: Db, now: Date, limit: number) {
  return sql<Due>`
    select r.tenant_id, r.id, r.referrer_id, r.referee_id, q.id as transaction_id
    from referrals r
    join tenants t on t.id = r.tenant_id
    join lateral (
      select s.id from transactions s
      where s.tenant_id = r.tenant_id and s.member_id = r.referee_id and s.status = 'posted'
        and s.subtotal - s.discount - s.refunded_amount >= greatest(t.referral_min_spend, 1)
        and s.created_at <= ${now}::timestamptz - make_interval(days => t.return_window_days)
      order by s.occurred_at, s.id limit 1
    ) q on true
    join members b on b.tenant_id = r.tenant_id and b.id = r.referee_id and b.phone_verified_at is not null
    where r.status = 'pending'
    order by r.tenant_id, r.id
    limit ${limit}`.execute(db).then((r) => r.rows);
}

/** Decides every due referral, each in its own transaction; safe to run again and concurrently. */
export async function settleReferrals(db: Db, secretKey: Buffer, now = new Date(), batchSize = 200) {
  const totals = { rewarded: 0, refused: 0 };
  for (;;) {
    const due = await dueReferrals(db, now, batchSize);
    for (const referral of due) {
      const outcome = await db.transaction().execute((trx) => settle(trx, secretKey, referral, now));
      if (outcome) totals[outcome]++;
    }
    if (due.length < batchSize) return totals;
  }
}

async function settle(trx: Db, secretKey: Buffer, due: Due, now: Date): Promise<'rewarded' | 'refused' | null> {
  const tenantId = due.tenant_id;
  // Accounts first, in id order, as every writer locks them; then the referral row.
  const accounts = await lockAccounts(trx, tenantId, [due.referrer_id, due.referee_id]);
  const pending = await repo.lockPendingReferral(trx, tenantId, due.referee_id);
  // Decided meanwhile, or moved by a merge since it was read: the next run sees it as it is now.
  if (!pending || pending.id !== due.id || pending.referrer_id !== due.referrer_id) return null;
  const tenant = await getTenant(trx, tenantId);
  const people = await repo.peopleOf(trx, tenantId, [due.referrer_id, due.referee_id]);
  const referrer = people.find((p) => p.id === due.referrer_id)!;
  const referee = people.find((p) => p.id === due.referee_id)!;
  const refereePhone = phoneHash(secretKey, tenantId, referee.phone);

  const refuse = async (reason: ReferralRefusal) => {
    await repo.decide(trx, tenantId, due.id, { status: 'refused', reason, transaction_id: due.transaction_id }, now);
    return 'refused' as const;
  };
  if (referrer.id === referee.id) return refuse('self_referral');
  if (referrer.status !== 'active') return refuse('referrer_inactive');
  const sameEmail = referee.email !== null && referee.email === referrer.email;
  if (sameEmail || (await repo.isFormerPhoneOf(trx, tenantId, referrer.id, refereePhone))) return refuse('self_referral');
  const cap = tenant.referral_monthly_cap;
  if (cap !== null && (await repo.rewardedSince(trx, tenantId, referrer.id, startOfLocalMonth(now, tenant.time_zone))) >= cap) {
    return refuse('referrer_monthly_cap');
  }
  if (!(await repo.claimPhone(trx, tenantId, 'referral', refereePhone))) return refuse('phone_already_rewarded');

  const policy = policyOf(tenant);
  const posting = { kind: 'bonus' as const, reference: `referral:${due.id}`, transactionId: null, actor: { actor_kind: 'system', actor_id: null } };
  if (tenant.referral_referrer_points > 0) {
    await credit(trx, tenantId, accounts.get(referrer.id)!, { ...posting, points: tenant.referral_referrer_points, note: 'Referral: a friend joined and bought' }, { expiresAt: expiresAt(now, policy) });
  }
  if (tenant.referral_referee_points > 0) {
    await credit(trx, tenantId, accounts.get(referee.id)!, { ...posting, points: tenant.referral_referee_points, note: 'Referral: welcome from a friend' }, { expiresAt: expiresAt(now, policy) });
  }
  await repo.decide(trx, tenantId, due.id, {
    status: 'rewarded', referrer_points: tenant.referral_referrer_points, referee_points: tenant.referral_referee_points, transaction_id: due.transaction_id,
  }, now);
  return 'rewarded';
}

const toReferralView = (row: repo.ReferralRow) => ({
  id: row.id,
  status: row.status,
  reason: row.reason,
  referrer: { id: row.referrer_id, name: row.referrer_name },
  referee: { id: row.referee_id, name: row.referee_name },
  referrerPoints: row.referrer_points,
  refereePoints: row.referee_points,
  transactionId: row.transaction_id,
  createdAt: row.created_at.toISOString(),
  decidedAt: row.decided_at?.toISOString() ?? null,
});

export async function listReferrals(db: Db, principal: Principal, filter: repo.ReferralFilter, cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listReferrals(db, principal.tenantId, filter, limit, cursor), limit);
  return { items: page.map(toReferralView), nextCursor };
}

export async function referralReport(db: Db, principal: Principal, since: Date | null) {
  const [totals, top] = await Promise.all([repo.referralTotals(db, principal.tenantId, since), repo.topReferrers(db, principal.tenantId, since)]);
  const count = (status: string) => totals.filter((t) => t.status === status).reduce((sum, t) => sum + Number(t.count), 0);
  const refusedBy = Object.fromEntries(totals.filter((t) => t.status === 'refused').map((t) => [t.reason!, Number(t.count)]));
  return {
    pending: count('pending'),
    rewarded: count('rewarded'),
    refused: count('refused'),
    refusedBy,
    pointsAwarded: totals.reduce((sum, t) => sum + Number(t.points), 0),
    topReferrers: top.map((t) => ({ id: t.id, name: t.name, referred: Number(t.referred), rewarded: Number(t.rewarded), points: Number(t.points) })),
  };
}

const MEMBER_LIST = 50;

/** The member app's "refer a friend": the code and link, the rewards, the counts, and the latest friends (first name only) and how it went. */
export async function memberReferrals(db: Db, tenantId: string, memberId: string) {
  const [tenant, member, rows, counts] = await Promise.all([
    getTenant(db, tenantId),
    db.selectFrom('members').select('referral_code').where('tenant_id', '=', tenantId).where('id', '=', memberId).executeTakeFirstOrThrow(),
    repo.listReferrals(db, tenantId, { referrerId: memberId }, MEMBER_LIST),
    repo.referralCountsOf(db, tenantId, memberId),
  ]);
  return {
    code: member.referral_code,
    joinPath: `/app/${tenant.slug}/join?ref=${member.referral_code}`,
    referrerPoints: tenant.referral_referrer_points,
    refereePoints: tenant.referral_referee_points,
    minSpend: tenant.referral_min_spend,
    joined: counts.joined,
    rewarded: counts.rewarded,
    items: rows.slice(0, MEMBER_LIST).map((r) => ({
      id: r.id, friend: r.referee_name.split(' ')[0], status: r.status, reason: r.reason, points: r.referrer_points, createdAt: r.created_at.toISOString(),
    })),
  };
}
