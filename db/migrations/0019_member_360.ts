import { sql, type Kysely } from 'kysely';

// The member 360° view (api/src/member360) lists, for one member, the audit rows about them, the
// messages sent to them (by member or, for one-time codes, by their phone or email) and the
// vouchers they used. Without these indexes each list is a scan of the tenant's whole audit log,
// outbox or voucher uses.
const up_statements = [
  `create index audit_log_target on audit_log (tenant_id, target_id, id desc) where target_id is not null`,
  `create index outbox_messages_member on outbox_messages (tenant_id, member_id, id desc) where member_id is not null`,
  `create index outbox_messages_recipient on outbox_messages (tenant_id, recipient, id desc)`,
  `create index voucher_redemptions_member on voucher_redemptions (tenant_id, member_id, voucher_id) where member_id is not null`,
];

const down_statements = [
  'drop index if exists voucher_redemptions_member',
  'drop index if exists outbox_messages_recipient',
  'drop index if exists outbox_messages_member',
  'drop index if exists audit_log_target',
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
