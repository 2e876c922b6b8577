import { sql, type Kysely } from 'kysely';

// Messages (issue 8, part B): one transport per tenant and channel (SMTP for email, a generic HTTP
// gateway for WhatsApp and SMS), its secrets sealed with KARTU_SECRET_KEY; the outbox gains what a
// dispatcher needs to send, retry with backoff and give up visibly: the next attempt's time, a
// claim lease (several API processes), the subject of an email, and the member it was for.
const up_statements = [
  `create table message_transports (
     tenant_id uuid not null references tenants (id),
     channel text not null check (channel in ('sms', 'whatsapp', 'email')),
     kind text not null check (kind in ('smtp', 'http')),
     settings jsonb not null,
     secret_enc text not null,
     updated_at timestamptz not null default now(),
     primary key (tenant_id, channel),
     check ((channel = 'email') = (kind = 'smtp'))
   )`,
  // The order in which member messages try channels (the first with a transport and an address).
  `alter table tenants add column message_channels text[] not null default '{whatsapp,sms,email}'`,
  // The language a member chose in the app; null: the tenant's.
  `alter table members add column language text check (language in ('id', 'en'))`,
  `alter table outbox_messages add column member_id uuid`,
  `alter table outbox_messages add column subject text`,
  `alter table outbox_messages add column next_attempt_at timestamptz`,
  `alter table outbox_messages add column updated_at timestamptz not null default now()`,
  `create index outbox_messages_due_idx on outbox_messages (next_attempt_at) where status = 'pending'`,
  `create index outbox_messages_status_idx on outbox_messages (tenant_id, status, created_at desc)`,
];

const down_statements = [
  'drop index if exists outbox_messages_status_idx',
  'drop index if exists outbox_messages_due_idx',
  'alter table outbox_messages drop column if exists updated_at',
  'alter table outbox_messages drop column if exists next_attempt_at',
  'alter table outbox_messages drop column if exists subject',
  'alter table outbox_messages drop column if exists member_id',
  'alter table members drop column if exists language',
  'alter table tenants drop column if exists message_channels',
  'drop table if exists message_transports',
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
