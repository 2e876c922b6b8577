import { sql } from 'kysely';
import type { Db } from '../deps.ts';

/**
 * Deletes the shared rate-limit rows whose window ended over a minute ago (a margin for clocks of
 * processes that differ a little). By the database's clock, not the job's `now`: tests run the
 * housekeeping days ahead, and counters are wall-clock time. Returns how many went.
 */
export async function purgeExpiredRateLimits(db: Db): Promise<number> {
  const cutoff = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint - 60000`;
  const result = await db.deleteFrom('rate_limits').where('expire', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
