import { sql, type Kysely } from 'kysely';

// Issue 12 (1,000,000 members): the member search matches a name prefix at the start of the name
// or of any later word (`lower(name) like 'x%' or like '% x%'`). The btree on lower(name) serves
// only the first; a trigram index serves both, so the search's OR becomes a BitmapOr of index scans
// instead of a scan of every member. pg_trgm is a trusted extension (no superuser needed); PGlite
// loads it in createDb(). fastupdate off: with it, member updates (the lifecycle job moves tens of
// thousands at once) queue in a pending list that every search then reads in full (measured: a
// phone search went from 2 ms to 20 ms); members change rarely enough to update the index in place.
const up_statements = [
  `create extension if not exists pg_trgm`,
  `create index members_name_trgm on members using gin (lower(name) gin_trgm_ops) with (fastupdate = off)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop index if exists members_name_trgm').execute(db);
}
