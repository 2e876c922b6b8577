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
