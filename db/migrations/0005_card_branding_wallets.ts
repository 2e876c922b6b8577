import { sql, type Kysely } from 'kysely';

// The retailer's look on cards, passes and the member app (colours and a logo), and the wallet
// issuers' credentials (Google Wallet service account, Apple pass certificate) sealed at rest.
// cards_one_active_per_member is covered by cards_one_current_per_member (0004) since cards can be
// blocked, so it goes.
const up_statements = [
  `alter table tenants
     add column brand_primary text not null default '#0f766e' check (brand_primary ~ '^#[0-9a-f]{6}$'),
     add column brand_text text not null default '#ffffff' check (brand_text ~ '^#[0-9a-f]{6}$'),
     add column logo bytea check (logo is null or octet_length(logo) <= 262144),
     add column logo_type text check (logo_type is null or logo_type in ('image/png', 'image/jpeg')),
     add column logo_updated_at timestamptz,
     add constraint tenants_logo_pair check ((logo is null) = (logo_type is null))`,
  `create table wallet_issuers (
     tenant_id uuid not null references tenants (id),
     provider text not null check (provider in ('google', 'apple')),
     settings jsonb not null,
     secret_enc text not null,
     updated_at timestamptz not null default now(),
     primary key (tenant_id, provider)
   )`,
  `drop index cards_one_active_per_member`,
];

const down_statements = [
  `create unique index cards_one_active_per_member on cards (tenant_id, member_id) where status = 'active'`,
  `drop table wallet_issuers`,
  `alter table tenants drop constraint tenants_logo_pair,
     drop column logo_updated_at, drop column logo_type, drop column logo, drop column brand_text, drop column brand_primary`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
