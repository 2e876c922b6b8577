import { sql } from 'kysely';
import type { Db } from '../deps.ts';

// What a merge moves from the duplicate to the survivor, table by table. The points move through
// the ledger (ledger.service.ts transferAll); point entries stay where they were written.

const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0n);

export async function moveLifetime(db: Db, tenantId: string, fromAccount: string, toAccount: string) {
  await sql`
    update point_accounts a set lifetime_earned = a.lifetime_earned + d.lifetime_earned, lifetime_redeemed = a.lifetime_redeemed + d.lifetime_redeemed
    from point_accounts d
    where a.tenant_id = ${tenantId} and a.id = ${toAccount} and d.tenant_id = ${tenantId} and d.id = ${fromAccount}`.execute(db);
  await sql`update point_accounts set lifetime_earned = 0, lifetime_redeemed = 0 where tenant_id = ${tenantId} and id = ${fromAccount}`.execute(db);
}

export async function moveRows(db: Db, tenantId: string, from: string, to: string) {
  const moved = async (table: 'transactions' | 'vouchers' | 'voucher_redemptions' | 'reward_redemptions') =>
    count(await sql`update ${sql.table(table)} set member_id = ${to} where tenant_id = ${tenantId} and member_id = ${from}`.execute(db));
  return {
    transactions: await moved('transactions'),
    vouchers: await moved('vouchers'),
    voucherRedemptions: await moved('voucher_redemptions'),
    rewardRedemptions: await moved('reward_redemptions'),
    referralsMade: count(await sql`update referrals set referrer_id = ${to} where tenant_id = ${tenantId} and referrer_id = ${from}`.execute(db)),
    // Feedback (ratings, complaints, suggestions) and its replies follow the member: the survivor sees them in the app.
    feedbackThreads: count(await sql`update feedback_threads set member_id = ${to} where tenant_id = ${tenantId} and member_id = ${from}`.execute(db)),
  };
}

/**
 * Before the rows move: a pending referral between the two is one person referring themselves; the
 * duplicate's own pending referral (it was referred) moves to the survivor unless the survivor was
 * referred too, when it is refused as a duplicate membership.
 */
export async function settleReferralsBetween(db: Db, tenantId: string, survivor: string, duplicate: string) {
  await sql`
    update referrals set status = 'refused', reason = 'self_referral', decided_at = now()
    where tenant_id = ${tenantId} and status = 'pending'
      and ((referrer_id = ${survivor} and referee_id = ${duplicate}) or (referrer_id = ${duplicate} and referee_id = ${survivor}))`.execute(db);
  const moved = count(await sql`
    update referrals set referee_id = ${survivor}
    where tenant_id = ${tenantId} and referee_id = ${duplicate} and status = 'pending'
      and not exists (select 1 from referrals r where r.tenant_id = ${tenantId} and r.referee_id = ${survivor})`.execute(db));
  if (!moved) {
    await sql`
      update referrals set status = 'refused', reason = 'duplicate_member', decided_at = now()
      where tenant_id = ${tenantId} and referee_id = ${duplicate} and status = 'pending'`.execute(db);
  }
}

/** The duplicate's cards join the survivor's history; the ones in use are retired (one current card per member). */
export async function moveCards(db: Db, tenantId: string, from: string, to: string) {
  return count(await sql`
    update cards set member_id = ${to},
      status = case when status in ('active', 'blocked') then 'replaced' else status end,
      reason = case when status in ('active', 'blocked') then 'merged' else reason end,
      replaced_at = case when status in ('active', 'blocked') then now() else replaced_at end
    where tenant_id = ${tenantId} and member_id = ${from}`.execute(db));
}

/** The survivor's former numbers include the duplicate's number and former numbers (self-referral checks). */
export async function moveFormerPhones(db: Db, tenantId: string, from: string, to: string, fromPhone: Buffer) {
  await sql`
    insert into member_former_phones (tenant_id, member_id, phone_hash)
    select tenant_id, ${to}, phone_hash from member_former_phones where tenant_id = ${tenantId} and member_id = ${from}
    union select ${tenantId}::uuid, ${to}::uuid, ${fromPhone}::bytea
    on conflict do nothing`.execute(db);
}

export async function endMemberSessions(db: Db, tenantId: string, memberId: string) {
  await sql`delete from sessions where tenant_id = ${tenantId} and principal_kind = 'member' and principal_id = ${memberId}`.execute(db);
}

export async function dropRfm(db: Db, tenantId: string, memberId: string) {
  await sql`delete from member_rfm where tenant_id = ${tenantId} and member_id = ${memberId}`.execute(db);
}

export async function insertMerge(db: Db, row: { tenant_id: string; id: string; survivor_id: string; merged_id: string; moved: string; actor_kind: string; actor_id: string | null }) {
  await db.insertInto('member_merges').values(row).execute();
}

export async function insertFormerPhone(db: Db, tenantId: string, memberId: string, hash: Buffer) {
  await db.insertInto('member_former_phones').values({ tenant_id: tenantId, member_id: memberId, phone_hash: hash }).onConflict((oc) => oc.doNothing()).execute();
}
