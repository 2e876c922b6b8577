import type { AppDeps } from '../deps.ts';
import { openWebhookSecret } from './webhook-secrets.ts';
import { postWebhook, type PostOutcome } from './webhook-sender.ts';
import { webhookHeaders } from './webhook-signature.ts';
import * as repo from './webhooks.repository.ts';

/** The waits after failed attempts 1…6: 1 min, 5 min, 30 min, 2 h, 6 h, 24 h; the 7th failure is final. */
export const RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 86_400_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Longer than one batch can take (the sends run side by side, each at most 10 s). */
const LEASE_MS = 60_000;
const BATCH = 20;

export interface DeliveryResult { succeeded: number; retrying: number; failed: number }

/**
 * Sends the due deliveries. Safe with several API processes: rows are claimed with FOR UPDATE SKIP
 * LOCKED and a lease, and an outcome is recorded only under the lease taken, so no row is sent by
 * two processes at once. The job queue calls this; tests call it with their own `now`.
 */
export async function deliverDueWebhooks(deps: AppDeps, now = new Date()): Promise<DeliveryResult> {
  const result: DeliveryResult = { succeeded: 0, retrying: 0, failed: 0 };
  for (;;) {
    const at = new Date(Math.max(now.getTime(), Date.now()));
    const lease = new Date(at.getTime() + LEASE_MS);
    const claimed = await repo.claimDue(deps.db, at, lease, BATCH);
    if (!claimed.length) return result;
    await Promise.all(claimed.map(async (row) => {
      const attempts = row.attempts + 1;
      const startedAt = new Date();
      const outcome = await sendSigned(deps, row, startedAt);
      const succeeded = outcome.error === null;
      const giveUp = !succeeded && attempts >= MAX_ATTEMPTS;
      const status = succeeded ? 'succeeded' : giveUp ? 'failed' : 'retrying';
      const recorded = await deps.db.transaction().execute((trx) => repo.finishAttempt(trx, { tenant_id: row.tenant_id, id: row.id, lease }, {
        status, lastStatus: outcome.status, lastError: outcome.error,
        nextAttemptAt: status === 'retrying' ? new Date(at.getTime() + RETRY_DELAYS_MS[attempts - 1]!) : null,
        deliveredAt: succeeded ? new Date() : null,
      }, { started_at: startedAt, duration_ms: Date.now() - startedAt.getTime(), response_status: outcome.status, error: outcome.error }));
      if (!recorded) deps.log.warn({ tenantId: row.tenant_id, deliveryId: row.id }, 'webhook delivery lease lapsed before its outcome was recorded');
      result[status]++;
      if (!succeeded) deps.log.warn({ tenantId: row.tenant_id, deliveryId: row.id, attempts, giveUp, reason: outcome.error }, 'webhook not delivered');
    }));
    if (claimed.length < BATCH) return result;
  }
}

/** One attempt; a secret that no longer opens (KARTU_SECRET_KEY changed) is a failed attempt the log shows, not a stuck batch. */
async function sendSigned(deps: AppDeps, row: repo.ClaimedDelivery, at: Date): Promise<PostOutcome> {
  let secret: string;
  try {
    secret = openWebhookSecret(deps.config.secretKey, row.tenant_id, row.webhook_id, row.secret_enc);
  } catch {
    return { status: null, error: 'The signing secret cannot be read (was KARTU_SECRET_KEY changed?); rotate the secret' };
  }
  return postWebhook(row.url, webhookHeaders(secret, row.id, row.body, at), row.body, deps.config.allowPrivateTargets);
}
