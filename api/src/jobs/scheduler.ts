import { sql } from 'kysely';
import type { AppDeps } from '../deps.ts';
import { expirePoints, releasePending } from '../ledger/ledger-jobs.ts';
import { scrubExpiredSecrets } from '../outbox/outbox.repository.ts';
import { refreshAllStages } from '../lifecycle/lifecycle.service.ts';
import { settleReferrals } from '../referrals/referrals.service.ts';
import { reviewTiers } from '../tiers/tiers.service.ts';
import { recomputeStaleRfm } from '../rfm/rfm.service.ts';

// Housekeeping every few minutes: post pending points whose return window is over, expire lots past
// their date, review tiers on their anniversary, reward referrals whose friend's first purchase
// qualified, move members along their lifecycle as the clock passes thresholds, and recompute RFM
// scores of tenants whose scores are a day old. Each job is set-based and safe to run
// again (and one-time codes older than an hour are masked in the outbox); a Postgres advisory lock keeps several API processes from running them at once.
const LOCK_ID = 4_242_001;

export async function runLedgerJobs(deps: AppDeps, now = new Date()) {
  return deps.db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${LOCK_ID}) as locked`.execute(conn);
    if (!rows[0]?.locked) return null;
    try {
      const released = await releasePending(conn, now);
      const expired = await expirePoints(conn, now);
      const tiers = await reviewTiers(conn, now);
      const scrubbed = await scrubExpiredSecrets(conn, new Date(now.getTime() - 3600e3));
      const referrals = await settleReferrals(conn, deps.config.secretKey, now);
      const stages = await refreshAllStages(conn, now);
      const rfm = await recomputeStaleRfm(conn, now);
      return { released, expired, tiers, scrubbed, referrals, stages, rfm };
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_ID})`.execute(conn);
    }
  });
}

export function startScheduler(deps: AppDeps, everyMs = 5 * 60e3) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const result = await runLedgerJobs(deps);
      if (result && (result.released.points || result.expired.points || result.tiers.reviewed || result.referrals.rewarded || result.referrals.refused || result.stages || result.rfm.tenants)) {
        deps.log.info(result, 'scheduled jobs');
      }
    } catch (error) {
      deps.log.error({ err: error }, 'ledger jobs failed; they run again on the next tick');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
