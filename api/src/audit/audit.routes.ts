import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CalendarDate, CursorQuery, page } from '../http/schemas.ts';
import { invalidField } from '../shared/errors.ts';
import { pageOf } from '../shared/page.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { listAudit } from './audit.repository.ts';

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string().nullable().meta({ description: 'The staff member’s or the API key’s name' }) }),
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
    description: 'Filters combine: `action` (exact, e.g. `staff.deactivated`), `actorId` (a staff member or an API key), `targetType`/`targetId`, and `from`/`to`, local dates of the retailer’s time zone, both inclusive.',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'audit.read' },
    query: CursorQuery.extend({
      targetId: z.uuid().optional(),
      targetType: z.string().max(100).optional(),
      action: z.string().max(100).optional(),
      actorId: z.uuid().optional(),
      from: CalendarDate.optional(),
      to: CalendarDate.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of entries', schema: page(AuditEntrySchema, 'AuditPage') } },
    handler: async ({ db, principal, query }) => {
      if (query.from && query.to && query.from > query.to) throw invalidField('query.from', 'Must not be after to');
      const tenant = await getTenant(db, principal.tenantId);
      const rows = await listAudit(db, principal.tenantId, tenant.time_zone, query, query.limit, query.cursor);
      const { page: entries, nextCursor } = pageOf(rows, query.limit);
      return {
        status: 200,
        body: {
          items: entries.map((r) => ({
            id: r.id, actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name }, action: r.action, target: { type: r.target_type, id: r.target_id },
            details: r.details, at: r.created_at.toISOString(),
          })),
          nextCursor,
        },
      };
    },
  });
}
