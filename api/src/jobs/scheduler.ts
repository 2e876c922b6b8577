import { sql } from 'kysely';
import { pgPoolOf } from '@kartu/db';
import type { AppDeps } from '../deps.ts';
import { expirePoints, releasePending } from '../ledger/ledger-jobs.ts';
import { scrubExpiredSecrets } from '../outbox/outbox.repository.ts';
import { refreshAllStages } from '../lifecycle/lifecycle.service.ts';
import { settleReferrals } from '../referrals/referrals.service.ts';
import { reviewTiers } from '../tiers/tiers.service.ts';
import { recomputeStaleRfm } from '../rfm/rfm.service.ts';
import { importHousekeeping } from '../imports/imports.service.ts';
import { purgeExpiredRateLimits } from '../http/rate-limits.repository.ts';

// Housekeeping, run every five minutes as the pg-boss job 'housekeeping' (queue.ts), and directly by tests and tools: post pending points whose return window is over, expire lots past
// their date, review tiers on their anniversary, reward referrals whose friend's first purchase
// qualified, move members along their lifecycle as the clock passes thresholds (each retailer once an hour), and recompute RFM
// scores of tenants whose scores are a day old, resume member imports whose worker stopped and delete the staged
// rows of imports finished 7 days ago (personal data kept only for errors.csv). Each job is set-based and safe to run
// again (and one-time codes older than an hour are masked in the outbox, and the shared rate-limit rows of
// windows that are over deleted); a Postgres advisory lock keeps several API processes from running them at once.
const LOCK_ID = 4_242_001;

export async function runLedgerJobs(deps: AppDeps, now = new Date()) {
  return deps.db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${LOCK_ID}) as locked`.execute(conn);
    if (!rows[0]?.locked) return null;
    // One job's failure does not keep the others from running; it is reported once they have.
    const failed: unknown[] = [];
    const run = async <T>(job: () => Promise<T>, nothing: T): Promise<T> => {
      try {
        return await job();
      } catch (error) {
        failed.push(error);
        return nothing;
      }
    };
    // The ledger jobs keep two batches in flight, each on a connection of its own from the pool (this
    // one holds the lock); PGlite has one connection, this one, and runs them one after another.
    const batches = pgPoolOf(deps.db) ? deps.db : conn;
    try {
      const released = await run(() => releasePending(batches, now), { accounts: 0, points: 0 });
      const expired = await run(() => expirePoints(batches, now), { accounts: 0, points: 0 });
      const tiers = await run(() => reviewTiers(conn, now), { reviewed: 0 } as Awaited<ReturnType<typeof reviewTiers>>);
      const scrubbed = await run(() => scrubExpiredSecrets(conn, new Date(now.getTime() - 3600e3)), 0);
      const referrals = await run(() => settleReferrals(conn, deps.config.secretKey, now), { rewarded: 0, refused: 0 });
      const stages = await run(() => refreshAllStages(conn, now), 0);
      const rfm = await run(() => recomputeStaleRfm(conn, now), { tenants: 0, customers: 0 });
      const imports = await run(() => importHousekeeping(conn, { db: deps.db, log: deps.log, secretKey: deps.config.secretKey }, now),
        { resumed: 0, abandoned: 0, purgedImports: 0, purgedRows: 0 });
      const rateLimits = await run(() => purgeExpiredRateLimits(conn), 0);
      if (failed.length) throw new AggregateError(failed, `${failed.length} scheduled job(s) failed`);
      return { released, expired, tiers, scrubbed, referrals, stages, rfm, imports, rateLimits };
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_ID})`.execute(conn);
    }
  });
}
