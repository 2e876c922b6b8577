import { z } from 'zod';
import { WEBHOOK_EVENTS } from './webhook-events.ts';
import type { AttemptRow, DeliveryRow, WebhookRow } from './webhooks.repository.ts';

export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
const DeliveryStatus = z.enum(['pending', 'retrying', 'succeeded', 'failed']);

export const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.union([WebhookEventSchema, z.literal('*')])).meta({ description: '`["*"]`: every event' }),
    description: z.string().nullable(),
    active: z.boolean().meta({ description: 'A paused subscription gets no new deliveries; those queued wait until it is active again' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook', description: 'A webhook subscription, without its signing secret' });

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().meta({ description: 'The signing secret (`whsec_…`), shown only now' }),
}).meta({ id: 'WebhookWithSecret' });

export const WebhookDeliverySchema = z
  .object({
    id: z.uuid().meta({ description: 'Sent as `Kartu-Webhook-Id`, the same on every attempt' }),
    webhookId: z.uuid(),
    eventId: z.uuid(),
    event: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable().meta({ description: 'Pending or retrying: when it is (next) sent' }),
    createdAt: z.string(),
    deliveredAt: z.string().nullable().meta({ description: 'The last successful attempt' }),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryDetailSchema = WebhookDeliverySchema.extend({
  payload: z.record(z.string(), z.unknown()).meta({ description: 'The body sent, parsed' }),
  attemptLog: z.array(z.object({
    attempt: z.number().int(),
    startedAt: z.string(),
    durationMs: z.number().int(),
    responseStatus: z.number().int().nullable(),
    error: z.string().nullable(),
  })),
}).meta({ id: 'WebhookDeliveryDetail' });

export type WebhookView = z.infer<typeof WebhookSchema>;

export const toWebhookView = (row: WebhookRow): WebhookView => ({
  id: row.id, url: row.url, events: row.events as WebhookView['events'], description: row.description, active: row.active,
  createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
});

export const toDeliveryView = (row: DeliveryRow): z.infer<typeof WebhookDeliverySchema> => ({
  id: row.id, webhookId: row.webhook_id, eventId: row.event_id, event: row.event, status: row.status, attempts: row.attempts,
  lastResponseStatus: row.last_status, lastError: row.last_error,
  nextAttemptAt: row.status === 'pending' || row.status === 'retrying' ? row.next_attempt_at?.toISOString() ?? null : null,
  createdAt: row.created_at.toISOString(), deliveredAt: row.delivered_at?.toISOString() ?? null,
});

export const toDeliveryDetail = (row: DeliveryRow & { body: string }, attempts: AttemptRow[]): z.infer<typeof WebhookDeliveryDetailSchema> => ({
  ...toDeliveryView(row),
  payload: JSON.parse(row.body) as Record<string, unknown>,
  attemptLog: attempts.map((a) => ({
    attempt: a.attempt, startedAt: a.started_at.toISOString(), durationMs: a.duration_ms, responseStatus: a.response_status, error: a.error,
  })),
});
