import type { Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './webhooks.repository.ts';

// The outbox side of webhooks: event sites call enqueueWebhookEvent inside the transaction of their
// effect, so a delivery exists exactly when the effect committed. Payload shapes: webhook-payloads.ts
// and docs/webhooks.md.

export const WEBHOOK_EVENTS = [
  'member.created', 'member.tier_changed', 'transaction.posted', 'transaction.refunded', 'points.expired', 'voucher.redeemed', 'reward.redeemed',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The body every delivery carries; `id` is the event's (one event, one id, whichever subscriptions get it). */
export function eventBody(tenantId: string, type: WebhookEvent | 'ping', data: object, eventId = newId()) {
  return { id: eventId, body: JSON.stringify({ id: eventId, type, createdAt: new Date().toISOString(), tenantId, data }) };
}

let nudge: () => void = () => {};

/** The job queue asks to be told when deliveries were written (it delivers soon after, once they committed). */
export function onWebhooksQueued(callback: () => void) {
  nudge = callback;
}

export function webhooksQueued() {
  nudge();
}

/** Writes a delivery for each active subscription of the tenant to `type` (one indexed statement when there is none). */
export async function enqueueWebhookEvent(trx: Db, tenantId: string, type: WebhookEvent, data: object): Promise<void> {
  const event = eventBody(tenantId, type, data);
  if (await repo.insertDeliveries(trx, tenantId, { ...event, type })) webhooksQueued();
}

/** Many events of one type (a set-based job): one query finds the tenants that subscribe, only they are written. */
export async function enqueueWebhookEvents(trx: Db, type: WebhookEvent, events: { tenantId: string; data: object }[]): Promise<void> {
  if (!events.length) return;
  const subscribed = await repo.subscribedTenants(trx, [...new Set(events.map((e) => e.tenantId))], type);
  for (const event of events) {
    if (subscribed.has(event.tenantId)) await enqueueWebhookEvent(trx, event.tenantId, type, event.data);
  }
}
