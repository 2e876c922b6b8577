import { sql, type Kysely } from 'kysely';

// Issue 12: housekeeping (every five minutes) recomputed every member's lifecycle stage, a scan of
// the whole members table: 1.8–2.1 s of a core each time at 1,000,000 members, which the till's
// searches queued behind. Stages are in days, so each retailer's are now refreshed by the clock at
// most once an hour; when this was last done for it is kept here. Sales and new thresholds still
// move stages at once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants add column stages_refreshed_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants drop column stages_refreshed_at`.execute(db);
}
