import { sql, type Kysely } from 'kysely';

// Promotions, voucher batches and codes, their redemptions, and the rewards catalog (issue 5).
// Codes are stored normalised (upper case, no hyphens or spaces) and unique per tenant. A voucher's
// uses are counted on its row under a CHECK, so a single-use code cannot be used twice whatever the
// concurrency; each use is a voucher_redemptions row that a void or full refund cancels.
// Reward stock is a counter under a CHECK (never below 0) for the same reason.
const up_statements = [
  `create table promotions (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     name text not null check (char_length(name) between 1 and 200),
     status text not null default 'active' check (status in ('active', 'paused', 'archived')),
     starts_at timestamptz not null,
     ends_at timestamptz not null,
     priority int not null default 0,
     exclusivity_group text check (exclusivity_group is null or char_length(exclusivity_group) between 1 and 64),
     conditions jsonb not null default '{}',
     effect jsonb not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     check (ends_at >= starts_at)
   )`,
  `create index promotions_live on promotions (tenant_id, ends_at) where status = 'active'`,

  `create table voucher_batches (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     name text check (name is null or char_length(name) <= 200),
     origin text not null check (origin in ('batch', 'public', 'personal', 'reward')),
     kind text not null check (kind in ('amount', 'percent', 'free_shipping', 'free_item')),
     value int8 check (value is null or value > 0),
     max_discount int8 check (max_discount is null or max_discount > 0),
     sku text,
     min_spend int8 not null default 0 check (min_spend >= 0),
     starts_at timestamptz,
     expires_at timestamptz,
     uses_per_code int check (uses_per_code is null or uses_per_code > 0),
     per_member_limit int check (per_member_limit is null or per_member_limit > 0),
     channels text[],
     stores uuid[],
     priority int not null default 0,
     exclusivity_group text check (exclusivity_group is null or char_length(exclusivity_group) between 1 and 64),
     reward_id uuid,
     count int not null check (count >= 0),
     status text not null default 'active' check (status in ('active', 'disabled')),
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     check (kind <> 'free_item' or sku is not null),
     check (kind not in ('amount', 'percent') or value is not null),
     check (kind <> 'percent' or value <= 100)
   )`,

  `create table vouchers (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     batch_id uuid not null,
     code text not null check (code ~ '^[0-9A-Z]{4,32}$'),
     member_id uuid,
     max_uses int check (max_uses is null or max_uses > 0),
     uses int not null default 0 check (uses >= 0),
     expires_at timestamptz,
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     unique (tenant_id, code),
     check (max_uses is null or uses <= max_uses),
     foreign key (tenant_id, batch_id) references voucher_batches (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id)
   )`,
  `create index vouchers_batch on vouchers (tenant_id, batch_id, code)`,
  `create index vouchers_member on vouchers (tenant_id, member_id) where member_id is not null`,

  `create table voucher_redemptions (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     voucher_id uuid not null,
     member_id uuid,
     transaction_id uuid,
     amount int8 not null default 0 check (amount >= 0),
     status text not null default 'redeemed' check (status in ('redeemed', 'cancelled')),
     actor_kind text not null,
     actor_id uuid,
     created_at timestamptz not null default now(),
     cancelled_at timestamptz,
     primary key (tenant_id, id),
     check ((status = 'cancelled') = (cancelled_at is not null)),
     foreign key (tenant_id, voucher_id) references vouchers (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, transaction_id) references transactions (tenant_id, id)
   )`,
  `create index voucher_redemptions_voucher on voucher_redemptions (tenant_id, voucher_id, member_id) where status = 'redeemed'`,
  `create index voucher_redemptions_transaction on voucher_redemptions (tenant_id, transaction_id) where transaction_id is not null`,

  `create table rewards (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     name text not null check (char_length(name) between 1 and 200),
     description text check (description is null or char_length(description) <= 2000),
     points_cost int8 not null check (points_cost > 0),
     stock int check (stock is null or stock >= 0),
     per_member_limit int check (per_member_limit is null or per_member_limit > 0),
     tiers text[],
     starts_at timestamptz,
     ends_at timestamptz,
     fulfilment text not null check (fulfilment in ('voucher', 'physical')),
     voucher jsonb,
     image bytea check (image is null or octet_length(image) <= 524288),
     image_type text check (image_type is null or image_type in ('image/png', 'image/jpeg', 'image/webp')),
     image_updated_at timestamptz,
     status text not null default 'active' check (status in ('active', 'archived')),
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id),
     check ((fulfilment = 'voucher') = (voucher is not null)),
     check ((image is null) = (image_type is null)),
     check (ends_at is null or starts_at is null or ends_at >= starts_at)
   )`,

  `create table reward_redemptions (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     reward_id uuid not null,
     member_id uuid not null,
     points int8 not null check (points > 0),
     voucher_id uuid,
     store_id uuid,
     status text not null default 'issued' check (status in ('issued', 'handed_over', 'cancelled')),
     actor_kind text not null,
     actor_id uuid,
     created_at timestamptz not null default now(),
     handed_over_at timestamptz,
     primary key (tenant_id, id),
     foreign key (tenant_id, reward_id) references rewards (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, voucher_id) references vouchers (tenant_id, id)
   )`,
  `create index reward_redemptions_member on reward_redemptions (tenant_id, reward_id, member_id) where status <> 'cancelled'`,

  `alter table transaction_lines add column discount int8 not null default 0,
     add constraint transaction_lines_discount_bounds check (discount between 0 and amount)`,
  `alter table transactions add column shipping_fee int8 not null default 0 check (shipping_fee >= 0),
     add column shipping_discount int8 not null default 0,
     add constraint transactions_shipping_discount_bounds check (shipping_discount between 0 and shipping_fee)`,
];

const down_statements = [
  `alter table transactions drop constraint transactions_shipping_discount_bounds, drop column shipping_discount, drop column shipping_fee`,
  `alter table transaction_lines drop constraint transaction_lines_discount_bounds, drop column discount`,
  `drop table reward_redemptions`,
  `drop table rewards`,
  `drop table voucher_redemptions`,
  `drop table vouchers`,
  `drop table voucher_batches`,
  `drop table promotions`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
