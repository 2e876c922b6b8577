import { sql, type Kysely } from 'kysely';

// Up-sell and cross-sell offers (issue 7). An offer is triggered by what a member buys (SKUs or
// categories, in the cart or in their recent purchases) and suggests another SKU or category, with
// a message in both languages, optionally a personal voucher (issued the first time the offer is
// shown to a member, in a batch of origin 'offer') or bonus points on conversion. Each showing is an
// impression; a purchase of the suggested item within the offer's window converts the newest open
// impression of that member, once.
const up_statements = [
  `create table offers (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     name text not null check (char_length(name) between 1 and 200),
     kind text not null check (kind in ('cross_sell', 'up_sell')),
     status text not null default 'active' check (status in ('active', 'paused', 'archived')),
     trigger jsonb not null,
     suggestion jsonb not null,
     message jsonb not null,
     voucher jsonb,
     bonus_points int check (bonus_points is null or bonus_points between 1 and 1000000),
     segment_code text,
     starts_at timestamptz not null,
     ends_at timestamptz not null,
     max_shows int not null default 3 check (max_shows between 1 and 1000),
     cap_days int not null default 7 check (cap_days between 1 and 365),
     conversion_days int not null default 14 check (conversion_days between 1 and 365),
     priority int not null default 0,
     mined jsonb,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     check (ends_at >= starts_at)
   )`,
  `create index offers_live on offers (tenant_id, ends_at) where status = 'active'`,

  `create table offer_impressions (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     offer_id uuid not null,
     member_id uuid not null,
     channel text not null check (channel in ('till', 'app', 'online', 'message')),
     store_id uuid,
     voucher_id uuid,
     shown_at timestamptz not null default now(),
     converted_at timestamptz,
     conversion_transaction_id uuid,
     revenue int8 not null default 0 check (revenue >= 0),
     primary key (tenant_id, id),
     foreign key (tenant_id, offer_id) references offers (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, voucher_id) references vouchers (tenant_id, id),
     foreign key (tenant_id, conversion_transaction_id) references transactions (tenant_id, id),
     check ((converted_at is null) = (conversion_transaction_id is null))
   )`,
  `create index offer_impressions_member on offer_impressions (tenant_id, member_id, offer_id, shown_at desc)`,
  `create index offer_impressions_offer on offer_impressions (tenant_id, offer_id, shown_at)`,

  `alter table voucher_batches drop constraint voucher_batches_origin_check`,
  `alter table voucher_batches add constraint voucher_batches_origin_check check (origin in ('batch', 'public', 'personal', 'reward', 'offer'))`,
  `alter table voucher_batches add column offer_id uuid`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists offer_impressions').execute(db);
  await sql.raw('drop table if exists offers').execute(db);
  await sql.raw(`alter table voucher_batches drop column offer_id, drop constraint voucher_batches_origin_check`).execute(db);
  await sql.raw(`alter table voucher_batches add constraint voucher_batches_origin_check check (origin in ('batch', 'public', 'personal', 'reward'))`).execute(db);
}
