import { sql, type Insertable, type Updateable } from 'kysely';
import type { WebhookAttemptTable, WebhookDeliveryStatus, WebhookDeliveryTable, WebhookTable } from '@kartu/db';
import type { Db } from '../deps.ts';

// --- subscriptions --------------------------------------------------------------------------------

const webhookColumns = ['id', 'url', 'events', 'description', 'active', 'created_at', 'updated_at'] as const;

export async function insertWebhook(db: Db, row: Insertable<WebhookTable>) {
  await db.insertInto('webhooks').values(row).execute();
}

export function findWebhook(db: Db, tenantId: string, id: string) {
  return db.selectFrom('webhooks').select(webhookColumns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export type WebhookRow = NonNullable<Awaited<ReturnType<typeof findWebhook>>>;

/** Newest first, `limit + 1` rows before the cursor. */
export function listWebhooks(db: Db, tenantId: string, limit: number, beforeId?: string) {
  let query = db.selectFrom('webhooks').select(webhookColumns).where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

export async function updateWebhook(db: Db, tenantId: string, id: string, patch: Updateable<WebhookTable>) {
  await db.updateTable('webhooks').set({ ...patch, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function deleteWebhook(db: Db, tenantId: string, id: string) {
  await db.deleteFrom('webhooks').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

// --- the outbox -------------------------------------------------------------------------------------

/** The tenants among `tenantIds` with an active subscription to `event`: one indexed query. */
export async function subscribedTenants(db: Db, tenantIds: string[], event: string): Promise<Set<string>> {
  const rows = await db.selectFrom('webhooks').select('tenant_id').distinct()
    .where('tenant_id', 'in', tenantIds).where('active', '=', true)
    .where(sql<boolean>`events && array[${event}, '*']::text[]`)
    .execute();
  return new Set(rows.map((r) => r.tenant_id));
}

/** One delivery per active subscription to the event; answers how many were written. */
export async function insertDeliveries(db: Db, tenantId: string, event: { id: string; type: string; body: string }): Promise<number> {
  const result = await sql`
    insert into webhook_deliveries (tenant_id, id, webhook_id, event_id, event, body, next_attempt_at)
    select tenant_id, kartu_uuidv7(), id, ${event.id}, ${event.type}, ${event.body}, now() from webhooks
    where tenant_id = ${tenantId} and active and events && array[${event.type}, '*']::text[]`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function insertDelivery(db: Db, row: Insertable<WebhookDeliveryTable>) {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

const deliveryColumns = ['id', 'webhook_id', 'event_id', 'event', 'status', 'attempts', 'last_status', 'last_error', 'next_attempt_at', 'created_at', 'delivered_at'] as const;

export function findDelivery(db: Db, tenantId: string, webhookId: string, id: string) {
  return db.selectFrom('webhook_deliveries').select([...deliveryColumns, 'body'])
    .where('tenant_id', '=', tenantId).where('webhook_id', '=', webhookId).where('id', '=', id).executeTakeFirst();
}

export type DeliveryRow = Omit<NonNullable<Awaited<ReturnType<typeof findDelivery>>>, 'body'>;

/** Newest first, `limit + 1` rows before the cursor. */
export function listDeliveries(db: Db, tenantId: string, webhookId: string, filter: { status?: WebhookDeliveryStatus }, limit: number, beforeId?: string) {
  let query = db.selectFrom('webhook_deliveries').select(deliveryColumns)
    .where('tenant_id', '=', tenantId).where('webhook_id', '=', webhookId).orderBy('id', 'desc').limit(limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

export function attemptsOf(db: Db, tenantId: string, deliveryId: string) {
  return db.selectFrom('webhook_attempts').select(['attempt', 'started_at', 'duration_ms', 'response_status', 'error'])
    .where('tenant_id', '=', tenantId).where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
}

export type AttemptRow = Awaited<ReturnType<typeof attemptsOf>>[number];

/** Due now: a finished delivery goes again; one waiting for a retry goes at once (an attempt in flight keeps its lease). */
export async function requeueDelivery(db: Db, tenantId: string, webhookId: string, id: string) {
  await sql`
    update webhook_deliveries set next_attempt_at = now(),
      status = case when status in ('succeeded', 'failed') then 'pending' else status end
    where tenant_id = ${tenantId} and webhook_id = ${webhookId} and id = ${id}`.execute(db);
}

// --- delivering ------------------------------------------------------------------------------------

export interface ClaimedDelivery {
  tenant_id: string;
  id: string;
  webhook_id: string;
  body: string;
  attempts: number;
  url: string;
  secret_enc: string;
}

/**
 * Takes up to `limit` due deliveries for this process until `leaseUntil` (FOR UPDATE SKIP LOCKED, and
 * a lease another process respects). A paused subscription's deliveries wait, except its test pings.
 */
export async function claimDue(db: Db, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<ClaimedDelivery>`
    with picked as materialized (
      select d.tenant_id, d.id from webhook_deliveries d
      join webhooks w on w.tenant_id = d.tenant_id and w.id = d.webhook_id
      where d.status in ('pending', 'retrying') and d.next_attempt_at <= ${now}
        and (d.leased_until is null or d.leased_until <= ${now})
        and (w.active or d.event = 'ping')
      order by d.next_attempt_at limit ${limit}
      for update of d skip locked)
    update webhook_deliveries d set leased_until = ${leaseUntil}
    from picked, webhooks w
    where d.tenant_id = picked.tenant_id and d.id = picked.id and w.tenant_id = d.tenant_id and w.id = d.webhook_id
    returning d.tenant_id, d.id, d.webhook_id, d.body, d.attempts, w.url, w.secret_enc`.execute(db);
  return rows;
}

/** Records an attempt and its outcome, only while this process's lease holds; false when it no longer did. */
export async function finishAttempt(
  db: Db,
  held: { tenant_id: string; id: string; lease: Date },
  outcome: { status: WebhookDeliveryStatus; lastStatus: number | null; lastError: string | null; nextAttemptAt: Date | null; deliveredAt: Date | null },
  attempt: Omit<Insertable<WebhookAttemptTable>, 'tenant_id' | 'delivery_id' | 'attempt'>,
): Promise<boolean> {
  const updated = await db.updateTable('webhook_deliveries')
    .set({
      status: outcome.status, attempts: sql`attempts + 1`, last_status: outcome.lastStatus, last_error: outcome.lastError,
      next_attempt_at: outcome.nextAttemptAt, leased_until: null,
      ...(outcome.deliveredAt ? { delivered_at: outcome.deliveredAt } : {}),
    })
    .where('tenant_id', '=', held.tenant_id).where('id', '=', held.id).where('leased_until', '=', held.lease)
    .returning('attempts')
    .executeTakeFirst();
  if (!updated) return false;
  await db.insertInto('webhook_attempts').values({ tenant_id: held.tenant_id, delivery_id: held.id, attempt: updated.attempts, ...attempt }).execute();
  return true;
}

