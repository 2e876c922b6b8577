import { sql, type Kysely } from 'kysely';

// Product catalogue (issue 9): the till looks SKUs up to build a sale's lines and a POS syncs its
// catalogue in bulk. SKUs are unique per tenant regardless of case; the search is a SKU or a name
// prefix, served by text_pattern_ops indexes on the lower-cased values (no trigram extension, which
// PGlite lacks).
const up_statements = [
  `create table products (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     sku text not null,
     name text not null,
     category text,
     unit_price bigint check (unit_price >= 0),
     active boolean not null default true,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id)
   )`,
  `create unique index products_sku on products (tenant_id, lower(sku) text_pattern_ops)`,
  `create index products_name on products (tenant_id, lower(name) text_pattern_ops)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists products').execute(db);
}
