import { sql, type Kysely } from 'kysely';

const up_statements = [
  // UUIDv7 made in SQL, for rows that set-based jobs write (entries list newest first by id).
  `create function kartu_uuidv7() returns uuid language sql volatile as $$
     select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing
       substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
   $$`,
  // Points policy per tenant: expiry, the return window for pending points, tier qualification.
  `alter table tenants
     add column expiry_policy text not null default 'never' check (expiry_policy in ('never', 'months', 'end_of_period')),
     add column expiry_months int not null default 12 check (expiry_months between 1 and 120),
     add column expiry_period text not null default 'year' check (expiry_period in ('month', 'quarter', 'year')),
     add column return_window_days int not null default 0 check (return_window_days between 0 and 90),
     add column tier_basis text not null default 'spend' check (tier_basis in ('spend', 'points')),
     add column tier_window_months int not null default 12 check (tier_window_months between 1 and 36)`,

  `alter table tiers
     add column min_qualifying int8 not null default 0 check (min_qualifying >= 0),
     add column earn_multiplier_pct int not null default 100 check (earn_multiplier_pct between 100 and 1000),
     add column free_shipping boolean not null default false`,

  `alter table members
     add column tier_since timestamptz,
     add column tier_review_at timestamptz`,
  `create index members_tier_review_idx on members (tenant_id, tier_review_at) where tier_review_at is not null`,

  `create table earning_rules (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    status text not null default 'active' check (status in ('active', 'paused')),
    priority int not null default 0,
    exclusivity_group text,
    conditions jsonb not null default '{}',
    effect jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
  )`,
  // The flat rate every tenant had becomes its base rule.
  `insert into earning_rules (tenant_id, id, name, priority, effect)
     select id, gen_random_uuid(), 'Poin dasar', 0,
            jsonb_build_object('type', 'base', 'spendPerPoint', earn_spend_unit, 'rounding', 'floor')
     from tenants`,
  `alter table tenants drop column earn_spend_unit`,

  // A lot knows its sale (refunds reverse the sale's own lots first), when a pending lot posts,
  // and how much of it expired or was reversed.
  `alter table point_lots
     add column transaction_id uuid,
     add column available_at timestamptz,
     add column expired int8 not null default 0 check (expired >= 0),
     add column reversed int8 not null default 0 check (reversed >= 0),
     add constraint point_lots_accounted check (remaining + expired + reversed <= points)`,
  `create index point_lots_transaction_idx on point_lots (tenant_id, transaction_id) where transaction_id is not null`,
  `create index point_lots_expiry_idx on point_lots (expires_at, tenant_id, account_id) where remaining > 0 and status = 'posted' and expires_at is not null`,
  `create index point_lots_pending_idx on point_lots (available_at, tenant_id, account_id) where status = 'pending'`,

  `alter table transaction_lines
     add column refunded_quantity int8 not null default 0,
     add constraint transaction_lines_refund_bounds check (refunded_quantity between 0 and quantity)`,
  `alter table transactions
     add column points_reversed int8 not null default 0,
     add column points_returned int8 not null default 0,
     add column points_forgiven int8 not null default 0,
     add column refunded_amount int8 not null default 0,
     add column claimed_at timestamptz,
     add column voided_at timestamptz`,

  `create table refunds (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    transaction_id uuid not null,
    amount int8 not null check (amount >= 0),
    points_reversed int8 not null default 0,
    points_returned int8 not null default 0,
    debt_added int8 not null default 0,
    actor_kind text not null,
    actor_id uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, transaction_id) references transactions (tenant_id, id)
  )`,
  `create table refund_lines (
    tenant_id uuid not null references tenants (id),
    refund_id uuid not null,
    line_id uuid not null,
    quantity int8 not null check (quantity > 0),
    amount int8 not null check (amount >= 0),
    points int8 not null default 0,
    primary key (tenant_id, refund_id, line_id),
    foreign key (tenant_id, refund_id) references refunds (tenant_id, id),
    foreign key (tenant_id, line_id) references transaction_lines (tenant_id, id)
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table refund_lines', 'drop table refunds',
    'alter table transactions drop column points_reversed, drop column points_returned, drop column points_forgiven, drop column refunded_amount, drop column claimed_at, drop column voided_at',
    'alter table transaction_lines drop constraint transaction_lines_refund_bounds, drop column refunded_quantity',
    'alter table point_lots drop constraint point_lots_accounted, drop column transaction_id, drop column available_at, drop column expired, drop column reversed',
    'drop table earning_rules',
    'alter table tenants add column earn_spend_unit int8 not null default 1000000',
    'drop function kartu_uuidv7()',
    'alter table members drop column tier_since, drop column tier_review_at',
    'alter table tiers drop column min_qualifying, drop column earn_multiplier_pct, drop column free_shipping',
    'alter table tenants drop column expiry_policy, drop column expiry_months, drop column expiry_period, drop column return_window_days, drop column tier_basis, drop column tier_window_months',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
