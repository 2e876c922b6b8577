import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, page } from '../http/schemas.ts';
import { pageOf } from '../shared/page.ts';
import { listAudit } from './audit.repository.ts';

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    actor: z.object({ kind: z.string(), id: z.string().nullable() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export function auditRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/audit',
    summary: 'The audit log of admin changes, newest first',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'audit.read' },
    query: CursorQuery.extend({ targetId: z.uuid().optional(), action: z.string().max(100).optional() }),
    responses: { 200: { description: 'A page of entries', schema: page(AuditEntrySchema, 'AuditPage') } },
    handler: async ({ db, principal, query }) => {
      const limit = 50;
      const { page: rows, nextCursor } = pageOf(await listAudit(db, principal.tenantId, query, limit, query.cursor), limit);
      return {
        status: 200,
        body: {
          items: rows.map((r) => ({
            id: r.id, actor: { kind: r.actor_kind, id: r.actor_id }, action: r.action, target: { type: r.target_type, id: r.target_id },
            details: r.details, at: r.created_at.toISOString(),
          })),
          nextCursor,
        },
      };
    },
  });
}
