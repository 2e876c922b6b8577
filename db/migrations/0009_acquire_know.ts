import { sql, type Kysely } from 'kysely';

// Acquire and know the customer (issue 6).
// - Tenants get their lifecycle thresholds, the welcome bonus, the referral rules, the sign-up form
//   and poster texts, and the RFM window and CLV horizon.
// - Members get a referral code, who referred them, the campaign tag they came with, tags, when the
//   phone was proven, their first and last purchase (what the lifecycle stage is computed from),
//   and 'merged' as a status with the survivor they were merged into.
// - Stage history, referrals with the reason one was refused, keyed hashes of phone numbers that
//   were rewarded once (they outlive erasure and phone changes: one reward per phone, ever), former
//   phones of each member (self-referral), segments, RFM scores, and merges.
const up_statements = [
  `alter table tenants
     add column lifecycle_new_days int not null default 30 check (lifecycle_new_days between 1 and 3650),
     add column lifecycle_at_risk_days int not null default 60 check (lifecycle_at_risk_days between 1 and 3650),
     add column lifecycle_lapsed_days int not null default 180 check (lifecycle_lapsed_days between 2 and 3650),
     add column welcome_bonus_points int not null default 0 check (welcome_bonus_points between 0 and 1000000000),
     add column referral_referrer_points int not null default 0 check (referral_referrer_points between 0 and 1000000000),
     add column referral_referee_points int not null default 0 check (referral_referee_points between 0 and 1000000000),
     add column referral_min_spend int8 not null default 0 check (referral_min_spend >= 0),
     add column referral_monthly_cap int check (referral_monthly_cap is null or referral_monthly_cap between 0 and 100000),
     add column signup_form jsonb not null default '{}',
     add column rfm_window_months int not null default 12 check (rfm_window_months between 1 and 60),
     add column clv_horizon_months int not null default 36 check (clv_horizon_months between 1 and 240),
     add constraint tenants_lifecycle_order check (lifecycle_at_risk_days < lifecycle_lapsed_days)`,

  `alter table members
     add column referral_code text check (referral_code ~ '^[0-9A-Z]{6,16}$'),
     add column referred_by uuid,
     add column source_tag text check (source_tag is null or char_length(source_tag) between 1 and 64),
     add column tags text[] not null default '{}',
     add column phone_verified_at timestamptz,
     add column first_purchase_at timestamptz,
     add column last_purchase_at timestamptz,
     add column won_back_at timestamptz,
     add column stage_changed_at timestamptz,
     add column merged_into uuid,
     add foreign key (tenant_id, referred_by) references members (tenant_id, id),
     add foreign key (tenant_id, merged_into) references members (tenant_id, id)`,
  `alter table members drop constraint members_status_check`,
  `alter table members add constraint members_status_check check (status in ('active', 'blocked', 'merged'))`,
  `alter table members add constraint members_merged_into check ((status = 'merged') = (merged_into is not null))`,
  // Existing members get a code from their id's hash (hex is inside the code alphabet); new ones a random one.
  `update members set referral_code = upper(substr(md5(tenant_id::text || id::text), 1, 10))`,
  `alter table members alter column referral_code set not null`,
  `create unique index members_referral_code on members (tenant_id, referral_code)`,
  `create index members_tags on members using gin (tags)`,
  `update members m set first_purchase_at = s.first_at, last_purchase_at = s.last_at
     from (select tenant_id, member_id, min(occurred_at) as first_at, max(occurred_at) as last_at
           from transactions where member_id is not null and status = 'posted' group by tenant_id, member_id) s
     where m.tenant_id = s.tenant_id and m.id = s.member_id`,
  `create index members_last_purchase on members (tenant_id, last_purchase_at)`,

  `create table member_stage_history (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     member_id uuid not null,
     from_stage text,
     to_stage text not null,
     changed_at timestamptz not null default now(),
     primary key (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id)
   )`,
  `create index member_stage_history_member on member_stage_history (tenant_id, member_id, changed_at desc)`,

  `create table referrals (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     referrer_id uuid not null,
     referee_id uuid not null,
     status text not null default 'pending' check (status in ('pending', 'rewarded', 'refused')),
     reason text check (reason is null or reason in ('self_referral', 'phone_already_rewarded', 'referrer_monthly_cap', 'referrer_inactive', 'duplicate_member')),
     transaction_id uuid,
     referrer_points int not null default 0 check (referrer_points >= 0),
     referee_points int not null default 0 check (referee_points >= 0),
     created_at timestamptz not null default now(),
     decided_at timestamptz,
     primary key (tenant_id, id),
     unique (tenant_id, referee_id),
     check ((status = 'refused') = (reason is not null)),
     foreign key (tenant_id, referrer_id) references members (tenant_id, id),
     foreign key (tenant_id, referee_id) references members (tenant_id, id),
     foreign key (tenant_id, transaction_id) references transactions (tenant_id, id)
   )`,
  `create index referrals_referrer on referrals (tenant_id, referrer_id, decided_at)`,
  `create index referrals_created on referrals (tenant_id, created_at desc)`,

  `create table rewarded_phones (
     tenant_id uuid not null references tenants (id),
     purpose text not null check (purpose in ('welcome', 'referral')),
     phone_hash bytea not null,
     created_at timestamptz not null default now(),
     primary key (tenant_id, purpose, phone_hash)
   )`,

  `create table member_former_phones (
     tenant_id uuid not null references tenants (id),
     member_id uuid not null,
     phone_hash bytea not null,
     until timestamptz not null default now(),
     primary key (tenant_id, member_id, phone_hash),
     foreign key (tenant_id, member_id) references members (tenant_id, id)
   )`,
  `create index member_former_phones_hash on member_former_phones (tenant_id, phone_hash)`,

  `create table segments (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     code text not null check (code ~ '^[A-Za-z0-9_-]{1,64}$'),
     name text not null check (char_length(name) between 1 and 200),
     description text check (description is null or char_length(description) <= 1000),
     rules jsonb not null,
     status text not null default 'active' check (status in ('active', 'archived')),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     unique (tenant_id, code)
   )`,

  `create table member_rfm (
     tenant_id uuid not null references tenants (id),
     member_id uuid not null,
     recency_days int not null,
     frequency int not null,
     monetary int8 not null,
     r smallint not null check (r between 1 and 5),
     f smallint not null check (f between 1 and 5),
     m smallint not null check (m between 1 and 5),
     clv int8 not null,
     computed_at timestamptz not null,
     primary key (tenant_id, member_id),
     foreign key (tenant_id, member_id) references members (tenant_id, id)
   )`,
  `alter table tenants add column rfm_computed_at timestamptz`,

  `create table member_merges (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     survivor_id uuid not null,
     merged_id uuid not null,
     moved jsonb not null,
     actor_kind text not null,
     actor_id uuid,
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     unique (tenant_id, merged_id),
     foreign key (tenant_id, survivor_id) references members (tenant_id, id),
     foreign key (tenant_id, merged_id) references members (tenant_id, id)
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['member_merges', 'member_rfm', 'segments', 'member_former_phones', 'rewarded_phones', 'referrals', 'member_stage_history']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw(`alter table members drop constraint members_merged_into, drop constraint members_status_check`).execute(db);
  await sql.raw(`alter table members add constraint members_status_check check (status in ('active', 'blocked'))`).execute(db);
  await sql.raw(`drop index if exists members_referral_code`).execute(db);
  await sql.raw(`alter table members
    drop column referral_code, drop column referred_by, drop column source_tag, drop column tags, drop column phone_verified_at,
    drop column first_purchase_at, drop column last_purchase_at, drop column won_back_at, drop column stage_changed_at, drop column merged_into`).execute(db);
  await sql.raw(`alter table tenants drop constraint tenants_lifecycle_order,
    drop column lifecycle_new_days, drop column lifecycle_at_risk_days, drop column lifecycle_lapsed_days, drop column welcome_bonus_points,
    drop column referral_referrer_points, drop column referral_referee_points, drop column referral_min_spend, drop column referral_monthly_cap,
    drop column signup_form, drop column rfm_window_months, drop column clv_horizon_months, drop column rfm_computed_at`).execute(db);
}
