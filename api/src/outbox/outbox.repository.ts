import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'unconfigured';

/** A pending message is due at once (the database's now), so the dispatcher picks it up on its next tick. */
export async function insertMessage(
  db: Db,
  row: {
    tenant_id: string; id: string; channel: 'sms' | 'whatsapp' | 'email'; recipient: string; purpose: string; body: string; secret: string | null;
    status: 'pending' | 'unconfigured'; member_id?: string | null; subject?: string | null;
  },
) {
  await db
    .insertInto('outbox_messages')
    .values({ ...row, next_attempt_at: row.status === 'pending' ? sql<Date>`now()` : null })
    .execute();
}

export function listMessages(db: Db, tenantId: string, limit: number, beforeId?: string, status?: OutboxStatus) {
  let query = db.selectFrom('outbox_messages').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('id', '<', beforeId);
  if (status) query = query.where('status', '=', status);
  return query.execute();
}

export function lockMessage(db: Db, tenantId: string, id: string) {
  return db.selectFrom('outbox_messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** A failed (or unconfigured) message goes back in the queue with a fresh count of attempts. */
export async function requeueMessage(db: Db, tenantId: string, id: string) {
  await db
    .updateTable('outbox_messages')
    .set({ status: 'pending', attempts: 0, last_error: null, next_attempt_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** One-time codes are of no use after they expire: mask them in stored messages. */
export async function scrubExpiredSecrets(db: Db, olderThan: Date) {
  const result = await db
    .updateTable('outbox_messages')
    .set((eb) => ({ body: eb.fn('replace', ['body', 'secret', eb.val('••••••')]), secret: null }))
    .where('secret', 'is not', null)
    .where('created_at', '<', olderThan)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
