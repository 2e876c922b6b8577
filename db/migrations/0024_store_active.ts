import { sql, type Kysely } from 'kysely';

// Stores can be deactivated (issue 9): an inactive store takes no new sales, scans, checkouts,
// redemptions or presence codes, but its history and refunds of its old sales stay.
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table stores add column active boolean not null default true').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table stores drop column active').execute(db);
}
