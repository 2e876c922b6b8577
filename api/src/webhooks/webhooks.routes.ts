import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { WebhookDeliveryDetailSchema, WebhookDeliverySchema, WebhookEventSchema, WebhookSchema, WebhookWithSecretSchema } from './webhooks.mapper.ts';
import {
  createWebhook, deleteWebhook, getDelivery, getWebhook, listDeliveries, listWebhooks, resendDelivery, rotateWebhookSecret, sendTestEvent, updateWebhook,
} from './webhooks.service.ts';

const tags = ['Webhooks'];
const auth = { principals: ['staff' as const], permission: 'api_keys.manage' as const };
const about = 'Owners and admins (the permission of API keys). Audit-logged. See docs/webhooks.md for payloads, headers and signatures.';

const fields = {
  url: z.url().max(2000).meta({ description: 'https; a loopback, private or link-local address is refused unless KARTU_ALLOW_PRIVATE_TARGETS=on (which also allows http)' }),
  events: z.array(z.union([WebhookEventSchema, z.literal('*')])).min(1).max(20).meta({ description: 'The event types to receive, or `["*"]` for all' }),
  description: z.string().trim().max(500).nullable().optional(),
  active: z.boolean().optional(),
};
const DeliveryParams = IdParams.extend({ deliveryId: z.uuid() });

export function webhookRoutes(routes: Routes) {
  routes.add({
    method: 'post', path: '/api/v1/webhooks', tags, auth, secretInResponse: true,
    summary: 'Subscribe a URL to events; the signing secret is shown once',
    description: about,
    body: z.object(fields),
    responses: { 201: { description: 'Created, with its secret', schema: WebhookWithSecretSchema } },
    handler: async ({ db, principal, deps, body }) => ({ status: 201, body: await createWebhook(db, principal, deps.config, body) }),
  });

  routes.add({
    method: 'get', path: '/api/v1/webhooks', tags, auth,
    summary: 'List the webhook subscriptions, newest first',
    query: CursorQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: { 200: { description: 'A page of subscriptions', schema: page(WebhookSchema, 'WebhookPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await listWebhooks(db, principal, query) }),
  });

  routes.add({
    method: 'get', path: '/api/v1/webhooks/{id}', tags, auth,
    summary: 'A webhook subscription',
    params: IdParams,
    responses: { 200: { description: 'The subscription', schema: WebhookSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getWebhook(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch', path: '/api/v1/webhooks/{id}', tags, auth,
    summary: 'Change a subscription: URL, events, description, or pause (`active: false`) and resume it',
    description: about,
    params: IdParams,
    body: z.object({ url: fields.url.optional(), events: fields.events.optional(), description: fields.description, active: fields.active }),
    responses: { 200: { description: 'Changed', schema: WebhookSchema } },
    handler: async ({ db, principal, deps, params, body }) => ({ status: 200, body: await updateWebhook(db, principal, deps.config, params.id, body) }),
  });

  routes.add({
    method: 'delete', path: '/api/v1/webhooks/{id}', tags, auth,
    summary: 'Delete a subscription with its delivery log',
    description: about,
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ db, principal, params }) => {
      await deleteWebhook(db, principal, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post', path: '/api/v1/webhooks/{id}/rotate-secret', tags, auth, secretInResponse: true,
    summary: 'Replace the signing secret; the new one is shown once and signs every attempt from now on',
    description: about,
    params: IdParams,
    responses: { 200: { description: 'The subscription with its new secret', schema: WebhookWithSecretSchema } },
    handler: async ({ db, principal, deps, params }) => ({ status: 200, body: await rotateWebhookSecret(db, principal, deps.config, params.id) }),
  });

  routes.add({
    method: 'post', path: '/api/v1/webhooks/{id}/test', tags, auth,
    summary: 'Send a `ping` event to this subscription (also when paused)',
    params: IdParams,
    responses: { 202: { description: 'Queued; its outcome shows in the delivery log', schema: WebhookDeliverySchema } },
    handler: async ({ db, principal, params }) => ({ status: 202, body: await sendTestEvent(db, principal, params.id) }),
  });

  routes.add({
    method: 'get', path: '/api/v1/webhooks/{id}/deliveries', tags, auth,
    summary: 'The delivery log of a subscription, newest first',
    params: IdParams,
    query: CursorQuery.extend({
      status: z.enum(['pending', 'retrying', 'succeeded', 'failed']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of deliveries', schema: page(WebhookDeliverySchema, 'WebhookDeliveryPage') } },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await listDeliveries(db, principal, params.id, query) }),
  });

  routes.add({
    method: 'get', path: '/api/v1/webhooks/{id}/deliveries/{deliveryId}', tags, auth,
    summary: 'A delivery with the payload sent and each attempt',
    params: DeliveryParams,
    responses: { 200: { description: 'The delivery', schema: WebhookDeliveryDetailSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getDelivery(db, principal, params.id, params.deliveryId) }),
  });

  routes.add({
    method: 'post', path: '/api/v1/webhooks/{id}/deliveries/{deliveryId}/resend', tags, auth,
    summary: 'Send a delivery again now: the same id and payload, a new attempt',
    description: about,
    params: DeliveryParams,
    responses: { 202: { description: 'Queued', schema: WebhookDeliverySchema } },
    handler: async ({ db, principal, params }) => ({ status: 202, body: await resendDelivery(db, principal, params.id, params.deliveryId) }),
  });
}
