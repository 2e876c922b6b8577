import type { Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
}

/** Admin changes, written in the same transaction as the change itself. */
export async function recordAudit(db: Db, principal: Principal, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      tenant_id: principal.tenantId,
      id: newId(),
      actor_kind: principal.kind,
      actor_id: principal.id,
      action: event.action,
      target_type: event.targetType,
      target_id: event.targetId ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

export function listAudit(db: Db, tenantId: string, filter: { targetId?: string; action?: string }, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'actor_kind', 'actor_id', 'action', 'target_type', 'target_id', 'details', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}
