import PgBoss from 'pg-boss';
import { pgliteOf } from '@kartu/db';
import type { AppDeps, Db } from '../deps.ts';
import { runAutomationEvents, runScheduledAutomations } from '../automations/automations.jobs.ts';
import { runLedgerJobs } from './scheduler.ts';
import { deliverDueWebhooks } from '../webhooks/webhook-delivery.ts';
import { onWebhooksQueued } from '../webhooks/webhook-events.ts';

// The job queue (DESIGN.md: pg-boss 10, the last line that runs on Node 20) in the database itself,
// so several API processes share it: cron schedules are sent once whoever runs them, and each queue's
// 'stately' policy keeps at most one job queued and one running. On the embedded PGlite pg-boss
// talks through the app's one connection (executeSql below), so it never cuts into a transaction.

export const JOBS = {
  /** Pending points, expiry, tier reviews, referral rewards, lifecycle stages, RFM, outbox scrub. */
  housekeeping: { name: 'housekeeping', cron: '*/5 * * * *' },
  /** Sign-ups, purchases and tier changes recorded for automations. */
  automationEvents: { name: 'automation-events', cron: '* * * * *' },
  /** Birthdays, inactivity, expiring points and segment entry, set-based. */
  automationsScheduled: { name: 'automations-scheduled', cron: '*/10 * * * *' },
  /** Webhook deliveries that are due: nudged a second after a delivery is queued, and each minute for retries. */
  webhookDeliveries: { name: 'webhook-deliveries', cron: '* * * * *' },
} as const;

/** pg-boss's SQL through the app's PGlite connection: parameterless (its multi-statement migrations) by exec. */
function pgliteExecutor(db: Db): PgBoss.Db | undefined {
  const pglite = pgliteOf(db);
  if (!pglite) return undefined;
  return {
    executeSql: (text, values) =>
      db.connection().execute(async () => {
        if (values?.length) return { rows: (await pglite.query(text, values)).rows as any[] };
        const results = await pglite.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as any[] };
      }),
  };
}

export interface Queue {
  boss: PgBoss;
  stop: () => Promise<void>;
}

/** Starts pg-boss with the jobs given (default: all of them) and their schedules. */
export async function startQueue(deps: AppDeps, jobs: (keyof typeof JOBS)[] = Object.keys(JOBS) as (keyof typeof JOBS)[]): Promise<Queue> {
  const executor = pgliteExecutor(deps.db);
  const boss = new PgBoss({
    ...(executor ? { db: executor } : { connectionString: deps.config.databaseUrl, max: 3 }),
    schema: 'pgboss',
    application_name: 'kartu-jobs',
    retentionDays: 1,
    deleteAfterDays: 2,
  });
  boss.on('error', (error) => deps.log.error({ err: error }, 'job queue error'));
  await boss.start();

  const handlers: Record<string, () => Promise<unknown>> = {
    [JOBS.housekeeping.name]: async () => {
      const result = await runLedgerJobs(deps);
      if (result && (result.released.points || result.expired.points || result.tiers.reviewed || result.referrals.rewarded || result.referrals.refused || result.stages || result.rfm.tenants
        || result.imports.resumed || result.imports.abandoned || result.imports.purgedImports)) {
        deps.log.info(result, 'scheduled jobs');
      }
      return result;
    },
    [JOBS.automationEvents.name]: async () => {
      const done = await runAutomationEvents(deps.db);
      if (done.failed) deps.log.warn(done, 'automation events: some failed; they are tried again with backoff');
      else if (done.events) deps.log.info(done, 'automation events');
      return done;
    },
    [JOBS.automationsScheduled.name]: async () => {
      const done = await runScheduledAutomations(deps.db, new Date());
      if (done.failed) deps.log.error(done, 'scheduled automations: some members failed; they are tried again next time');
      else if (done.runs) deps.log.info(done, 'scheduled automations');
      return done;
    },
    [JOBS.webhookDeliveries.name]: async () => {
      const done = await deliverDueWebhooks(deps);
      if (done.succeeded || done.retrying || done.failed) deps.log.info(done, 'webhook deliveries');
      return done;
    },
  };
  for (const job of jobs.map((key) => JOBS[key])) {
    await boss.createQueue(job.name, { name: job.name, policy: 'stately', retryLimit: 0, expireInMinutes: 15 });
    await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    await boss.work(job.name, { pollingIntervalSeconds: job === JOBS.webhookDeliveries ? 1 : 5 }, async () => {
      try {
        await handlers[job.name]();
      } catch (error) {
        deps.log.error({ err: error, job: job.name }, 'job failed; it runs again on its next schedule');
        throw error;
      }
    });
  }
  // Housekeeping and waiting events at start-up too, not only on the next schedule.
  for (const job of [JOBS.housekeeping, JOBS.automationEvents]) {
    if (jobs.some((key) => JOBS[key] === job)) await boss.send(job.name, {});
  }

  const nudge = nudgeOnce(boss, deps);
  if (jobs.includes('webhookDeliveries')) onWebhooksQueued(nudge.send);

  return {
    boss,
    stop: () => {
      onWebhooksQueued(() => {});
      nudge.cancel();
      return boss.stop({ graceful: true, wait: true, timeout: 8_000 });
    },
  };
}

/**
 * Deliveries are written inside their event's transaction, which commits after the call: the job is
 * sent a second later (by then the sale has committed; one that has not waits for the minute's run),
 * at most once a second per process, and the queue's 'stately' policy folds the rest.
 */
function nudgeOnce(boss: PgBoss, deps: AppDeps) {
  let timer: NodeJS.Timeout | undefined;
  return {
    send: () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        boss.send(JOBS.webhookDeliveries.name, {}).catch((error) => deps.log.error({ err: error }, 'webhook delivery job not sent'));
      }, 1000).unref();
    },
    cancel: () => clearTimeout(timer),
  };
}
