import { sql, type Kysely } from 'kysely';

// Issue 8's reliability gaps. An automation event that fails (a deadlock, a dropped connection)
// is tried again with backoff instead of being given up at once: attempts and the next attempt's
// time. A staff reply in a feedback thread remembers the outbox message that carried it, or why
// none was queued, so the inbox can say whether the member was told; members write back too.
const up_statements = [
  `alter table automation_events add column attempts int not null default 0`,
  `alter table automation_events add column next_attempt_at timestamptz`,
  `create index automation_events_errors on automation_events (tenant_id, id) where error is not null`,
  `alter table feedback_messages add column outbox_message_id uuid`,
  `alter table feedback_messages add column not_sent_reason text`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'alter table feedback_messages drop column not_sent_reason, drop column outbox_message_id',
    'drop index if exists automation_events_errors',
    'alter table automation_events drop column next_attempt_at, drop column attempts',
  ]) await sql.raw(statement).execute(db);
}
