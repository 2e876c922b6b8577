import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, page } from '../http/schemas.ts';
import { listOutbox } from './outbox.service.ts';

const MessageSchema = z
  .object({
    id: z.uuid(),
    channel: z.enum(['sms', 'whatsapp', 'email']),
    recipient: z.string(),
    purpose: z.string(),
    body: z.string().meta({ description: 'One-time codes are masked outside demo mode' }),
    status: z.enum(['pending', 'sent', 'failed', 'unconfigured']),
    lastError: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'OutboxMessage' });

export function outboxRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/outbox',
    summary: 'Messages queued for members (newest first)',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'outbox.read' },
    query: CursorQuery,
    responses: { 200: { description: 'Messages', schema: page(MessageSchema, 'OutboxPage') } },
    handler: async ({ db, deps, principal, query }) => ({ status: 200, body: await listOutbox(db, principal, deps.config, query.cursor) }),
  });
}
