import { sql, type Kysely } from 'kysely';

// Staff administration (issue 9): a password an owner or admin set for someone (an invitation or a
// reset) is temporary, so its holder is asked to choose their own at the next sign-in; ending a
// staff member's sessions (on deactivation, a reset, or on request) deletes them by principal.
const up_statements = [
  `alter table staff add column must_change_password boolean not null default false`,
  `create index sessions_principal on sessions (tenant_id, principal_id)`,
  `create index staff_name on staff (tenant_id, lower(name))`,
  `create index audit_log_actor on audit_log (tenant_id, actor_id, id desc)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop index if exists audit_log_actor').execute(db);
  await sql.raw('drop index if exists staff_name').execute(db);
  await sql.raw('drop index if exists sessions_principal').execute(db);
  await sql.raw('alter table staff drop column must_change_password').execute(db);
}
