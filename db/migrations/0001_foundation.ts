import { sql, type Kysely } from 'kysely';

// Each statement runs on its own: PGlite's extended protocol takes one statement at a time.
const up_statements = [
  `create function kartu_forbid_change() returns trigger language plpgsql as $$
   begin raise exception '% is append-only', TG_TABLE_NAME using errcode = 'P0001'; end $$`,

  `create table tenants (
    id uuid primary key,
    slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
    name text not null,
    currency char(3) not null default 'IDR',
    time_zone text not null default 'Asia/Jakarta',
    locale text not null default 'id' check (locale in ('id', 'en')),
    earn_spend_unit int8 not null default 1000000 check (earn_spend_unit > 0),
    point_value int8 not null default 10000 check (point_value >= 0),
    created_at timestamptz not null default now()
  )`,

  `create table stores (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    code text not null,
    name text not null,
    region text,
    time_zone text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, code)
  )`,

  `create table staff (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    email text not null,
    name text not null,
    role text not null check (role in ('owner', 'admin', 'marketer', 'cashier')),
    password_hash text not null,
    store_id uuid,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, store_id) references stores (tenant_id, id)
  )`,
  // Staff sign in with an email alone, so emails are unique across tenants (DESIGN.md).
  `create unique index staff_email_key on staff (lower(email))`,

  `create table sessions (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    principal_kind text not null check (principal_kind in ('staff', 'member')),
    principal_id uuid not null,
    secret_hash bytea not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
  )`,

  `create table api_keys (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    scopes text[] not null,
    store_id uuid,
    secret_hash bytea not null,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, store_id) references stores (tenant_id, id)
  )`,

  `create table audit_log (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    actor_kind text not null,
    actor_id uuid,
    action text not null,
    target_type text not null,
    target_id uuid,
    details jsonb not null default '{}',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
  )`,
  `create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function kartu_forbid_change()`,

  `create table tiers (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    code text not null,
    name text not null,
    rank int not null,
    primary key (tenant_id, id),
    unique (tenant_id, code),
    unique (tenant_id, rank)
  )`,

  `create table members (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    phone text not null,
    email text,
    birth_date date,
    marketing_opt_in boolean not null default false,
    status text not null default 'active' check (status in ('active', 'blocked')),
    lifecycle_stage text not null default 'prospect'
      check (lifecycle_stage in ('prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back')),
    tier_id uuid not null,
    source text not null default 'in_store',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, phone),
    foreign key (tenant_id, tier_id) references tiers (tenant_id, id)
  )`,
  `create index members_name_idx on members (tenant_id, lower(name) text_pattern_ops)`,
  `create index members_email_idx on members (tenant_id, lower(email))`,

  `create table card_keys (
    tenant_id uuid not null references tenants (id),
    kid text not null,
    secret_enc text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, kid)
  )`,

  `create table cards (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    member_id uuid not null,
    number text not null check (number ~ '^[0-9]{16}$'),
    kid text not null,
    status text not null default 'active' check (status in ('active', 'blocked', 'replaced')),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, number),
    foreign key (tenant_id, member_id) references members (tenant_id, id),
    foreign key (tenant_id, kid) references card_keys (tenant_id, kid)
  )`,
  `create unique index cards_one_active_per_member on cards (tenant_id, member_id) where status = 'active'`,

  `create table point_accounts (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    member_id uuid not null,
    balance int8 not null default 0 check (balance >= 0),
    pending int8 not null default 0 check (pending >= 0),
    debt int8 not null default 0 check (debt >= 0),
    lifetime_earned int8 not null default 0,
    lifetime_redeemed int8 not null default 0,
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, member_id),
    foreign key (tenant_id, member_id) references members (tenant_id, id)
  )`,

  `create table transactions (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    member_id uuid,
    store_id uuid,
    receipt_no text not null,
    channel text not null check (channel in ('store', 'online')),
    occurred_at timestamptz not null,
    subtotal int8 not null check (subtotal >= 0),
    discount int8 not null default 0,
    points_value int8 not null default 0,
    total int8 not null check (total >= 0),
    points_earned int8 not null default 0,
    points_redeemed int8 not null default 0,
    status text not null default 'posted' check (status in ('posted', 'voided')),
    actor_kind text not null,
    actor_id uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, member_id) references members (tenant_id, id),
    foreign key (tenant_id, store_id) references stores (tenant_id, id)
  )`,
  // One receipt number per store, or per tenant for sales without a store.
  `create unique index transactions_receipt_key on transactions
    (tenant_id, coalesce(store_id, '00000000-0000-0000-0000-000000000000'::uuid), receipt_no)`,
  `create index transactions_member_idx on transactions (tenant_id, member_id, occurred_at)`,

  `create table transaction_lines (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    transaction_id uuid not null,
    line_no int not null,
    sku text not null,
    name text,
    category text,
    quantity int8 not null check (quantity > 0),
    unit_price int8 not null check (unit_price >= 0),
    amount int8 not null check (amount >= 0),
    points int8 not null default 0,
    primary key (tenant_id, id),
    unique (tenant_id, transaction_id, line_no),
    foreign key (tenant_id, transaction_id) references transactions (tenant_id, id)
  )`,

  `create table point_entries (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    account_id uuid not null,
    kind text not null check (kind in ('earn', 'redeem', 'expire', 'adjust', 'reverse', 'return', 'bonus', 'debt', 'repay')),
    bucket text not null default 'balance' check (bucket in ('balance', 'pending', 'debt')),
    points int8 not null check (points <> 0),
    balance_after int8 not null,
    transaction_id uuid,
    reference text,
    note text,
    actor_kind text not null,
    actor_id uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, account_id) references point_accounts (tenant_id, id),
    foreign key (tenant_id, transaction_id) references transactions (tenant_id, id)
  )`,
  `create index point_entries_account_idx on point_entries (tenant_id, account_id, id desc)`,
  `create trigger point_entries_append_only before update or delete on point_entries
    for each row execute function kartu_forbid_change()`,

  `create table point_lots (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    account_id uuid not null,
    entry_id uuid not null,
    status text not null default 'posted' check (status in ('posted', 'pending')),
    points int8 not null check (points > 0),
    remaining int8 not null check (remaining >= 0 and remaining <= points),
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, account_id) references point_accounts (tenant_id, id),
    foreign key (tenant_id, entry_id) references point_entries (tenant_id, id)
  )`,
  `create index point_lots_spendable_idx on point_lots (tenant_id, account_id, expires_at, id) where remaining > 0`,

  `create table idempotency_keys (
    tenant_id uuid not null references tenants (id),
    caller text not null,
    route text not null,
    key text not null,
    request_hash text not null,
    status text not null check (status in ('in_progress', 'done')),
    response_status int,
    response_body jsonb,
    created_at timestamptz not null default now(),
    primary key (tenant_id, caller, route, key)
  )`,

  `create table otp_codes (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    phone text not null,
    code_hash bytea not null,
    attempts int not null default 0,
    expires_at timestamptz not null,
    consumed_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
  )`,
  `create index otp_codes_phone_idx on otp_codes (tenant_id, phone, created_at desc)`,

  `create table outbox_messages (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    channel text not null check (channel in ('sms', 'whatsapp', 'email')),
    recipient text not null,
    purpose text not null,
    body text not null,
    secret text,
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'unconfigured')),
    attempts int not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    primary key (tenant_id, id)
  )`,
  `create index outbox_messages_created_idx on outbox_messages (tenant_id, created_at desc)`,
];

const down_statements = [
  'outbox_messages', 'otp_codes', 'idempotency_keys', 'point_lots', 'point_entries',
  'transaction_lines', 'transactions', 'point_accounts', 'cards', 'card_keys', 'members',
  'tiers', 'audit_log', 'api_keys', 'sessions', 'staff', 'stores', 'tenants',
].map((t) => `drop table if exists ${t}`).concat('drop function if exists kartu_forbid_change()');

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
