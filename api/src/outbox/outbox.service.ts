import { recordAudit } from '../audit/audit.repository.ts';
import { pageOf } from '../shared/page.ts';
import type { AppDeps, Db } from '../deps.ts';
import { hasTransport } from '../messages/messages.repository.ts';
import { ERASED_TEXT } from '../privacy/erasure.repository.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import * as repo from './outbox.repository.ts';

export interface OutgoingMessage {
  tenantId: string;
  channel: 'sms' | 'whatsapp' | 'email';
  recipient: string;
  purpose: string;
  body: string;
  /** A one-time code inside the body: masked in the portal outside demo mode. */
  secret?: string;
  /** An email's subject. */
  subject?: string;
  memberId?: string;
}

/**
 * Queues a message in the outbox: 'pending' when the tenant has a transport for the channel (the
 * dispatcher, messages/dispatch.ts, sends it within seconds, retrying with backoff), otherwise
 * 'unconfigured' and visible in the portal rather than pretending to be sent.
 */
export async function enqueueMessage(db: Db, message: OutgoingMessage): Promise<string> {
  const id = newId();
  const configured = await hasTransport(db, message.tenantId, message.channel);
  await repo.insertMessage(db, {
    tenant_id: message.tenantId, id, channel: message.channel, recipient: message.recipient, purpose: message.purpose,
    body: message.body, secret: message.secret ?? null, status: configured ? 'pending' : 'unconfigured',
    subject: message.subject ?? null, member_id: message.memberId ?? null,
  });
  return id;
}

type OutboxRow = Awaited<ReturnType<typeof repo.listMessages>>[number];

/** A message as the portal shows it: one-time codes masked outside demo mode (in the body and in the error). */
function toOutboxItem(row: OutboxRow, config: AppDeps['config']) {
  const mask = (text: string) => (row.secret && !config.demo ? text.replaceAll(row.secret, '•'.repeat(row.secret.length)) : text);
  return {
    id: row.id,
    channel: row.channel,
    recipient: row.recipient,
    purpose: row.purpose,
    subject: row.subject,
    body: mask(row.body),
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error === null ? null : mask(row.last_error),
    nextAttemptAt: row.status === 'pending' && row.next_attempt_at ? row.next_attempt_at.toISOString() : null,
    memberId: row.member_id,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at ? row.sent_at.toISOString() : null,
  };
}

export async function listOutbox(db: Db, principal: Principal, config: AppDeps['config'], cursor?: string, status?: repo.OutboxStatus, limit = 50) {
  const { page, nextCursor } = pageOf(await repo.listMessages(db, principal.tenantId, limit, cursor, status), limit);
  return { items: page.map((row) => toOutboxItem(row, config)), nextCursor };
}

/**
 * Sends a failed message again (or an unconfigured one, once its channel has a transport): back to
 * 'pending' with a fresh count of attempts. Audit-logged.
 */
export async function retryMessage(db: Db, principal: Principal, config: AppDeps['config'], id: string) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockMessage(trx, principal.tenantId, id);
    if (!row) throw notFound('Message');
    if (row.status !== 'failed' && row.status !== 'unconfigured') {
      throw new DomainError('conflict', `Only a failed or unconfigured message can be retried; this one is ${row.status}`);
    }
    if (row.recipient === ERASED_TEXT) throw new DomainError('conflict', 'The recipient’s personal data was erased on their request: this message cannot be sent');
    if (!(await hasTransport(trx, principal.tenantId, row.channel))) {
      throw new DomainError('conflict', `No ${row.channel} transport is set up: set one up in Settings › Messages first`);
    }
    await repo.requeueMessage(trx, principal.tenantId, id);
    await recordAudit(trx, principal, { action: 'outbox.retried', targetType: 'outbox_message', targetId: id, details: { previousStatus: row.status, attempts: row.attempts } });
    return toOutboxItem((await repo.lockMessage(trx, principal.tenantId, id))!, config);
  });
}
