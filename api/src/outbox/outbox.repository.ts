import type { Db } from '../deps.ts';

export async function insertMessage(
  db: Db,
  row: { tenant_id: string; id: string; channel: 'sms' | 'whatsapp' | 'email'; recipient: string; purpose: string; body: string; secret: string | null; status: 'pending' | 'unconfigured' },
) {
  await db.insertInto('outbox_messages').values(row).execute();
}

export function listMessages(db: Db, tenantId: string, limit: number, beforeId?: string) {
  let query = db.selectFrom('outbox_messages').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
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
