import { sql, type Kysely } from 'kysely';

// The audit log stays append-only, with one exception (issue 10, UU PDP): a member's erasure replaces
// the personal values in the `details` of rows about that member. Only inside a transaction that
// set `kartu.audit_scrub` to 'on' (set_config(..., true): the transaction's own, never a session's),
// and only `details` may change; the row, its action, actor, target and time stay, and no row goes.
const up_statements = [
  `create function kartu_audit_guard() returns trigger language plpgsql as $$
   begin
     if TG_OP = 'UPDATE' and current_setting('kartu.audit_scrub', true) = 'on'
        and (new.tenant_id, new.id, new.actor_kind, new.actor_id, new.action, new.target_type, new.target_id, new.created_at)
            is not distinct from (old.tenant_id, old.id, old.actor_kind, old.actor_id, old.action, old.target_type, old.target_id, old.created_at)
     then return new; end if;
     raise exception '% is append-only', TG_TABLE_NAME using errcode = 'P0001';
   end $$`,
  `drop trigger audit_log_append_only on audit_log`,
  `create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function kartu_audit_guard()`,
];

const down_statements = [
  `drop trigger audit_log_append_only on audit_log`,
  `create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function kartu_forbid_change()`,
  `drop function if exists kartu_audit_guard()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
