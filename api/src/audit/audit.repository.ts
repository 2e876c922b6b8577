import { sql } from 'kysely';
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

export interface AuditFilter {
  targetId?: string;
  targetType?: string;
  action?: string;
  actorId?: string;
  /** Local dates of the retailer (`timeZone`), both inclusive. */
  from?: string;
  to?: string;
}

const localStart = (date: string, timeZone: string) => sql<Date>`(${date}::date)::timestamp at time zone ${timeZone}`;
const localEnd = (date: string, timeZone: string) => sql<Date>`((${date}::date) + 1)::timestamp at time zone ${timeZone}`;

/** Newest first, with the actor's name (a staff member's or an API key's), `limit + 1` rows before the cursor. */
export function listAudit(db: Db, tenantId: string, timeZone: string, filter: AuditFilter, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', (join) => join.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.id', '=', 'a.actor_id').on('a.actor_kind', '=', 'staff'))
    .leftJoin('api_keys as k', (join) => join.onRef('k.tenant_id', '=', 'a.tenant_id').onRef('k.id', '=', 'a.actor_id').on('a.actor_kind', '=', 'api_key'))
    .select(['a.id', 'a.actor_kind', 'a.actor_id', 'a.action', 'a.target_type', 'a.target_id', 'a.details', 'a.created_at'])
    .select((eb) => eb.fn.coalesce('s.name', 'k.name').as('actor_name'))
    .where('a.tenant_id', '=', tenantId)
    .orderBy('a.id', 'desc')
    .limit(limit + 1);
  if (filter.targetId) query = query.where('a.target_id', '=', filter.targetId);
  if (filter.targetType) query = query.where('a.target_type', '=', filter.targetType);
  if (filter.action) query = query.where('a.action', '=', filter.action);
  if (filter.actorId) query = query.where('a.actor_id', '=', filter.actorId);
  if (filter.from) query = query.where('a.created_at', '>=', localStart(filter.from, timeZone));
  if (filter.to) query = query.where('a.created_at', '<', localEnd(filter.to, timeZone));
  if (beforeId) query = query.where('a.id', '<', beforeId);
  return query.execute();
}

/**
 * Replaces the values of `keys` (those not null) in the details of the rows with these actions about
 * these targets; the rows stay. Allowed by the audit log's guard only for this statement (0029).
 */
export async function scrubAuditDetails(
  db: Db,
  tenantId: string,
  target: { type: string; ids: string[]; actions: string[]; keys: string[] },
  replacement: string,
): Promise<number> {
  if (!target.ids.length) return 0;
  const keys = sql`array[${sql.join(target.keys)}]::text[]`;
  await sql`select set_config('kartu.audit_scrub', 'on', true)`.execute(db);
  const result = await sql`
    update audit_log a set details = (
      select jsonb_object_agg(key, case when key = any(${keys}) and jsonb_typeof(value) <> 'null' then to_jsonb(${replacement}::text) else value end)
      from jsonb_each(a.details))
    where a.tenant_id = ${tenantId} and a.target_type = ${target.type} and a.target_id in (${sql.join(target.ids)})
      and a.action in (${sql.join(target.actions)}) and a.details ?| ${keys}`.execute(db);
  await sql`select set_config('kartu.audit_scrub', 'off', true)`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
