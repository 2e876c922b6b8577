import { sql, type Kysely } from 'kysely';

// Erasure on a member's request (issue 10, UU PDP): the member row stays as a tombstone (its id keeps
// the ledger, sales and lots adding up) with status `erased`, the time it happened, and no personal data.
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table members add column erased_at timestamptz`).execute(db);
  // When the marketing consent last changed (null: as given when joining), for the member's data export.
  await sql.raw(`alter table members add column marketing_opt_in_at timestamptz`).execute(db);
  await sql.raw(`alter table members drop constraint members_status_check`).execute(db);
  await sql.raw(`alter table members add constraint members_status_check check (status in ('active', 'blocked', 'merged', 'erased'))`).execute(db);
  await sql.raw(`alter table members add constraint members_erased_at check ((status = 'erased') = (erased_at is not null))`).execute(db);
  // A pending referral of an erased friend is refused: its points would go to an erased account.
  await sql.raw(`alter table referrals drop constraint referrals_reason_check`).execute(db);
  await sql.raw(`alter table referrals add constraint referrals_reason_check check (reason is null or reason in
    ('self_referral', 'phone_already_rewarded', 'referrer_monthly_cap', 'referrer_inactive', 'duplicate_member', 'member_erased'))`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table referrals drop constraint referrals_reason_check`).execute(db);
  await sql.raw(`alter table referrals add constraint referrals_reason_check check (reason is null or reason in
    ('self_referral', 'phone_already_rewarded', 'referrer_monthly_cap', 'referrer_inactive', 'duplicate_member'))`).execute(db);
  await sql.raw(`alter table members drop constraint members_erased_at, drop constraint members_status_check`).execute(db);
  await sql.raw(`alter table members add constraint members_status_check check (status in ('active', 'blocked', 'merged'))`).execute(db);
  await sql.raw(`alter table members drop column erased_at, drop column marketing_opt_in_at`).execute(db);
}
