import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { listOutbox, retryMessage } from './outbox.service.ts';

const MessageSchema = z
  .object({
    id: z.uuid(),
    channel: z.enum(['sms', 'whatsapp', 'email']),
    recipient: z.string(),
    purpose: z.string(),
    subject: z.string().nullable(),
    body: z.string().meta({ description: 'One-time codes are masked outside demo mode' }),
    status: z.enum(['pending', 'sent', 'failed', 'unconfigured']).meta({
      description: '`pending`: queued or waiting for its next attempt; `sent`: the transport accepted it; `failed`: given up after the maximum attempts (see lastError); `unconfigured`: the channel has no transport, so it was not sent',
    }),
    attempts: z.number().int(),
    lastError: z.string().nullable().meta({ description: 'Why the last attempt failed' }),
    nextAttemptAt: z.string().nullable().meta({ description: 'Pending: when it is (next) tried' }),
    memberId: z.uuid().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'OutboxMessage' });

export function outboxRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/outbox',
    summary: 'Messages queued for members (newest first)',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'outbox.read' },
    query: CursorQuery.extend({ status: z.enum(['pending', 'sent', 'failed', 'unconfigured']).optional() }),
    responses: { 200: { description: 'Messages', schema: page(MessageSchema, 'OutboxPage') } },
    handler: async ({ db, deps, principal, query }) => ({ status: 200, body: await listOutbox(db, principal, deps.config, query.cursor, query.status) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/outbox/{id}/retry',
    summary: 'Send a failed message again',
    description:
      'A `failed` message (or an `unconfigured` one, once its channel has a transport) goes back to `pending` with its attempts counted afresh; the dispatcher sends it within seconds. Owners, admins and marketers (permission `outbox.retry`). Audit-logged. Another status → 409; no transport for the channel → 409; a message to a member whose data was erased → 409.',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'outbox.retry' },
    params: IdParams,
    responses: { 200: { description: 'The message, pending again', schema: MessageSchema }, 404: { description: 'No such message' }, 409: { description: 'Not failed, or no transport' } },
    handler: async ({ db, deps, principal, params }) => ({ status: 200, body: await retryMessage(db, principal, deps.config, params.id) }),
  });
}
