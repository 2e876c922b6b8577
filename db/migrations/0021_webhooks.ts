import { sql, type Kysely } from 'kysely';

// Signed webhooks (issue 11): subscriptions per tenant and event type, each with a signing secret
// sealed with KARTU_SECRET_KEY; deliveries are an outbox written in the same transaction as the
// event (the body is kept as sent, so a retry or a resend signs the same bytes), claimed by the
// job queue with a lease (leased_until), and each attempt is kept for the delivery log.
const up_statements = [
  `create table webhooks (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     url text not null,
     events text[] not null,
     description text,
     active boolean not null default true,
     secret_enc text not null,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     primary key (tenant_id, id)
   )`,
  // The event sites' one query: active subscriptions of a tenant.
  `create index webhooks_active on webhooks (tenant_id) where active`,
  `create table webhook_deliveries (
     tenant_id uuid not null,
     id uuid not null,
     webhook_id uuid not null,
     event_id uuid not null,
     event text not null,
     body text not null,
     status text not null default 'pending' check (status in ('pending', 'retrying', 'succeeded', 'failed')),
     attempts int not null default 0,
     last_status int,
     last_error text,
     next_attempt_at timestamptz,
     leased_until timestamptz,
     created_at timestamptz not null default now(),
     delivered_at timestamptz,
     primary key (tenant_id, id),
     foreign key (tenant_id, webhook_id) references webhooks (tenant_id, id) on delete cascade
   )`,
  `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status in ('pending', 'retrying')`,
  `create index webhook_deliveries_log on webhook_deliveries (tenant_id, webhook_id, id desc)`,
  `create table webhook_attempts (
     tenant_id uuid not null,
     delivery_id uuid not null,
     attempt int not null,
     started_at timestamptz not null,
     duration_ms int not null,
     response_status int,
     error text,
     primary key (tenant_id, delivery_id, attempt),
     foreign key (tenant_id, delivery_id) references webhook_deliveries (tenant_id, id) on delete cascade
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhooks']) await sql.raw(`drop table if exists ${table}`).execute(db);
}
