import { sql, type Kysely } from 'kysely';

// Rate-limit counters shared by every API process on one PostgreSQL (issue 11), in the shape
// rate-limiter-flexible's RateLimiterPostgres reads and writes (it is told the table exists, so it
// never creates one): `key` is the limit's name and its own key (an IP, a tenant and phone, a
// caller), `points` the count in the window, `expire` the window's end in epoch milliseconds.
// A global table, like tenant slugs: limits by IP span tenants, and the tenant-scoped keys carry
// their tenant inside the key. `key` is text, not the library's varchar(255): an IP with an email
// address can be longer. Unlogged: a count then waits for no WAL flush (6 ms down to 1.2–1.9 ms,
// measured on a busy 2-core machine); a crash or a failover to a standby only resets the counters.
// The embedded PGlite (one process) counts in memory and leaves the table empty.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unlogged table rate_limits (key text primary key, points integer not null default 0, expire bigint)`.execute(db);
  // Housekeeping deletes the rows whose window is over.
  await sql`create index rate_limits_expire on rate_limits (expire)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists rate_limits`.execute(db);
}
