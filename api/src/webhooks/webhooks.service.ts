import { recordAudit } from '../audit/audit.repository.ts';
import type { AppDeps, Db } from '../deps.ts';
import { checkedAddresses, TargetRefused } from '../messages/targets.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { eventBody, webhooksQueued, type WebhookEvent } from './webhook-events.ts';
import { sealWebhookSecret } from './webhook-secrets.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import { toDeliveryDetail, toDeliveryView, toWebhookView } from './webhooks.mapper.ts';
import * as repo from './webhooks.repository.ts';

type Config = AppDeps['config'];
type Events = (WebhookEvent | '*')[];

export interface WebhookInput {
  url: string;
  events: Events;
  description?: string | null;
  active?: boolean;
}

/**
 * A receiver's URL: https (plain http only where private targets are allowed, that is on a test or
 * shop network), and no loopback, private or link-local address (DESIGN.md), checked like the
 * message gateways — here when saved, and again at each send.
 */
async function checkUrl(url: string, config: Config) {
  const target = new URL(url);
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && config.allowPrivateTargets)) {
    throw invalidField('body.url', 'Must be an https URL');
  }
  try {
    await checkedAddresses(target.hostname, config.allowPrivateTargets);
  } catch (error) {
    if (error instanceof TargetRefused) throw invalidField('body.url', error.message);
    throw error;
  }
}

/** ["*"] stands for every event, also when listed among others. */
const normalEvents = (events: Events): Events => (events.includes('*') ? ['*'] : [...new Set(events)]);

async function requireWebhook(db: Db, tenantId: string, id: string) {
  const row = await repo.findWebhook(db, tenantId, id);
  if (!row) throw notFound('Webhook');
  return row;
}

export async function createWebhook(db: Db, principal: Principal, config: Config, input: WebhookInput) {
  await checkUrl(input.url, config);
  return inTransaction(db, async (trx) => {
    const id = newId();
    const secret = newWebhookSecret();
    const events = normalEvents(input.events);
    await repo.insertWebhook(trx, {
      tenant_id: principal.tenantId, id, url: input.url, events, description: input.description ?? null, active: input.active ?? true,
      secret_enc: sealWebhookSecret(config.secretKey, principal.tenantId, id, secret),
    });
    await recordAudit(trx, principal, { action: 'webhook.created', targetType: 'webhook', targetId: id, details: { url: input.url, events, active: input.active ?? true } });
    return { ...toWebhookView(await requireWebhook(trx, principal.tenantId, id)), secret };
  });
}

export async function listWebhooks(db: Db, principal: Principal, page: { limit: number; cursor?: string }) {
  const { page: rows, nextCursor } = pageOf(await repo.listWebhooks(db, principal.tenantId, page.limit, page.cursor), page.limit);
  return { items: rows.map(toWebhookView), nextCursor };
}

export const getWebhook = async (db: Db, principal: Principal, id: string) => toWebhookView(await requireWebhook(db, principal.tenantId, id));

export async function updateWebhook(db: Db, principal: Principal, config: Config, id: string, patch: Partial<WebhookInput>) {
  if (patch.url !== undefined) await checkUrl(patch.url, config);
  return inTransaction(db, async (trx) => {
    const before = toWebhookView(await requireWebhook(trx, principal.tenantId, id));
    await repo.updateWebhook(trx, principal.tenantId, id, {
      url: patch.url, events: patch.events && normalEvents(patch.events), description: patch.description, active: patch.active,
    });
    await recordAudit(trx, principal, { action: 'webhook.updated', targetType: 'webhook', targetId: id, details: { before, patch } });
    return toWebhookView(await requireWebhook(trx, principal.tenantId, id));
  });
}

/** Deletes the subscription with its delivery log; deliveries not yet sent are dropped with it. */
export async function deleteWebhook(db: Db, principal: Principal, id: string) {
  await inTransaction(db, async (trx) => {
    const before = toWebhookView(await requireWebhook(trx, principal.tenantId, id));
    await repo.deleteWebhook(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'webhook.deleted', targetType: 'webhook', targetId: id, details: { url: before.url, events: before.events } });
  });
}

/** A new secret at once: every attempt from now on, queued deliveries included, is signed with it. */
export async function rotateWebhookSecret(db: Db, principal: Principal, config: Config, id: string) {
  return inTransaction(db, async (trx) => {
    await requireWebhook(trx, principal.tenantId, id);
    const secret = newWebhookSecret();
    await repo.updateWebhook(trx, principal.tenantId, id, { secret_enc: sealWebhookSecret(config.secretKey, principal.tenantId, id, secret) });
    await recordAudit(trx, principal, { action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id });
    return { ...toWebhookView(await requireWebhook(trx, principal.tenantId, id)), secret };
  });
}

/** Queues a `ping` event to this subscription only (also when paused), delivered like any other. */
export async function sendTestEvent(db: Db, principal: Principal, id: string) {
  const delivery = await inTransaction(db, async (trx) => {
    await requireWebhook(trx, principal.tenantId, id);
    const event = eventBody(principal.tenantId, 'ping', { webhookId: id });
    const deliveryId = newId();
    await repo.insertDelivery(trx, {
      tenant_id: principal.tenantId, id: deliveryId, webhook_id: id, event_id: event.id, event: 'ping', body: event.body, next_attempt_at: new Date(),
    });
    return toDeliveryView((await repo.findDelivery(trx, principal.tenantId, id, deliveryId))!);
  });
  webhooksQueued();
  return delivery;
}

export async function listDeliveries(db: Db, principal: Principal, id: string, filter: { status?: 'pending' | 'retrying' | 'succeeded' | 'failed'; limit: number; cursor?: string }) {
  await requireWebhook(db, principal.tenantId, id);
  const { page: rows, nextCursor } = pageOf(await repo.listDeliveries(db, principal.tenantId, id, filter, filter.limit, filter.cursor), filter.limit);
  return { items: rows.map(toDeliveryView), nextCursor };
}

async function requireDelivery(db: Db, tenantId: string, webhookId: string, deliveryId: string) {
  const row = await repo.findDelivery(db, tenantId, webhookId, deliveryId);
  if (!row) throw notFound('Delivery');
  return row;
}

export async function getDelivery(db: Db, principal: Principal, id: string, deliveryId: string) {
  const row = await requireDelivery(db, principal.tenantId, id, deliveryId);
  return toDeliveryDetail(row, await repo.attemptsOf(db, principal.tenantId, deliveryId));
}

/** Sends the same delivery (id and body) again, now: one more attempt, retried on failure while attempts remain. */
export async function resendDelivery(db: Db, principal: Principal, id: string, deliveryId: string) {
  const delivery = await inTransaction(db, async (trx) => {
    await requireDelivery(trx, principal.tenantId, id, deliveryId);
    await repo.requeueDelivery(trx, principal.tenantId, id, deliveryId);
    await recordAudit(trx, principal, { action: 'webhook.delivery_resent', targetType: 'webhook', targetId: id, details: { deliveryId } });
    return toDeliveryView(await requireDelivery(trx, principal.tenantId, id, deliveryId));
  });
  webhooksQueued();
  return delivery;
}
