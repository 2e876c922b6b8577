import type { AppDeps } from '../deps.ts';
import * as repo from './messages.repository.ts';
import { errorText, openTransport } from './messages.service.ts';
import { send, type Channel, type TransportConfig } from './transports.ts';

/** Attempts before a message is given up as 'failed' (with the last reason). */
export const MAX_ATTEMPTS = 6;
/** The wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min, 8 min (then it fails). */
export const backoffMs = (attempts: number) => 30_000 * 2 ** (attempts - 1);
/** How long a claimed message is left to the process that claimed it (longer than a send's timeouts). */
const LEASE_MS = 120_000;
const BATCH = 20;

export interface DispatchResult { sent: number; retrying: number; failed: number; unconfigured: number }

/**
 * Sends the pending messages that are due, through each tenant's transport. Safe with several API
 * processes: messages are claimed with FOR UPDATE SKIP LOCKED and a lease, and an outcome is only
 * recorded under the lease that was taken. A failure is retried with exponential backoff; after
 * MAX_ATTEMPTS the message is 'failed' with the reason. A message whose transport was removed
 * meanwhile becomes 'unconfigured'. Nothing is dropped. The job queue (or the polling loop below)
 * calls this; tests call it with their own `now`.
 */
export async function dispatchDueMessages(deps: AppDeps, now = new Date()): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, retrying: 0, failed: 0, unconfigured: 0 };
  for (;;) {
    // Each batch is claimed at the time of its claim: a long run (many batches, a slow gateway) must
    // not claim later batches with a lease already over, which another process would take and send
    // again, nor leave out a one-time code queued since the run began.
    const at = new Date(Math.max(now.getTime(), Date.now()));
    const lease = new Date(at.getTime() + LEASE_MS);
    const claimed = await repo.claimDue(deps.db, at, lease, BATCH);
    if (!claimed.length) return result;
    const transports = new Map<string, Promise<TransportConfig | null>>();
    const transportOf = (tenantId: string, channel: Channel) => {
      const key = `${tenantId}|${channel}`;
      if (!transports.has(key)) {
        transports.set(key, repo.findTransport(deps.db, tenantId, channel).then((row) => (row ? openTransport(deps.config.secretKey, row) : null)));
      }
      return transports.get(key)!;
    };
    await Promise.all(claimed.map(async (row) => {
      const held = { tenant_id: row.tenant_id, id: row.id, lease };
      const attempts = row.attempts + 1;
      let transport: TransportConfig | null;
      try {
        transport = await transportOf(row.tenant_id, row.channel);
      } catch (error) {
        transport = null;
        deps.log.error({ err: error, tenantId: row.tenant_id, channel: row.channel }, 'message transport cannot be opened');
      }
      if (!transport) {
        await repo.finishAttempt(deps.db, held, { status: 'unconfigured', attempts: row.attempts, lastError: `No ${row.channel} transport is set up`, nextAttemptAt: null, sentAt: null });
        result.unconfigured++;
        return;
      }
      try {
        await send(transport, { id: row.id, channel: row.channel, to: row.recipient, subject: row.subject, text: row.body }, deps.config.allowPrivateTargets);
        await repo.finishAttempt(deps.db, held, { status: 'sent', attempts, lastError: null, nextAttemptAt: null, sentAt: new Date() });
        result.sent++;
      } catch (error) {
        // A gateway may echo the message back: a one-time code never reaches the error or the log.
        const reason = row.secret ? errorText(error).replaceAll(row.secret, '•'.repeat(row.secret.length)) : errorText(error);
        const giveUp = attempts >= MAX_ATTEMPTS;
        await repo.finishAttempt(deps.db, held, {
          status: giveUp ? 'failed' : 'pending', attempts, lastError: reason,
          nextAttemptAt: giveUp ? null : new Date(at.getTime() + backoffMs(attempts)), sentAt: null,
        });
        if (giveUp) result.failed++;
        else result.retrying++;
        deps.log.warn({ tenantId: row.tenant_id, messageId: row.id, channel: row.channel, attempts, giveUp, reason }, 'message not sent');
      }
    }));
    if (claimed.length < BATCH) return result;
  }
}

/**
 * Until the job queue runs it: a small polling loop (one cheap indexed query a second when idle),
 * so a one-time code arrives within seconds. Returns a stop function.
 */
export function startMessageDispatcher(deps: AppDeps, everyMs = 1000) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const result = await dispatchDueMessages(deps);
      if (result.sent || result.failed || result.retrying || result.unconfigured) deps.log.info(result, 'messages dispatched');
    } catch (error) {
      deps.log.error({ err: error }, 'message dispatch failed; it runs again on the next tick');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
