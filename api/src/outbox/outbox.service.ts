import { pageOf } from '../shared/page.ts';
import type { AppDeps, Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import * as repo from './outbox.repository.ts';

export interface OutgoingMessage {
  tenantId: string;
  channel: 'sms' | 'whatsapp' | 'email';
  recipient: string;
  purpose: string;
  body: string;
  /** A one-time code inside the body: masked in the portal outside demo mode. */
  secret?: string;
}

/**
 * Queues a message in the outbox. No SMS/WhatsApp/email transport is configured yet, so it stays
 * `unconfigured` and visible in the portal rather than pretending to be sent.
 */
export async function enqueueMessage(db: Db, message: OutgoingMessage): Promise<void> {
  await repo.insertMessage(db, {
    tenant_id: message.tenantId, id: newId(), channel: message.channel, recipient: message.recipient, purpose: message.purpose,
    body: message.body, secret: message.secret ?? null, status: 'unconfigured',
  });
}

export async function listOutbox(db: Db, principal: Principal, config: AppDeps['config'], cursor?: string, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listMessages(db, principal.tenantId, limit, cursor), limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      channel: row.channel,
      recipient: row.recipient,
      purpose: row.purpose,
      body: row.secret && !config.demo ? row.body.replaceAll(row.secret, '•'.repeat(row.secret.length)) : row.body,
      status: row.status,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
    })),
    nextCursor,
  };
}
