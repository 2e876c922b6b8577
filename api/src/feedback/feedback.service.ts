import type { FeedbackKind, FeedbackStatus } from '@kartu/db';
import type { Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { queueMemberMessage } from '../messages/messages.service.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { assertOfCallersStore, effectiveStoreId } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { toMessageView, toMyFeedback, toSatisfaction, toThreadView } from './feedback.mapper.ts';
import * as repo from './feedback.repository.ts';

/** A rating may name one of the member's own sales of the last 30 days (each sale rated once). */
export const RATEABLE_SALE_DAYS = 30;
const DAY = 86400e3;

export interface FeedbackInput {
  kind: FeedbackKind;
  rating?: number;
  text?: string;
  storeId?: string;
  transactionId?: string;
}

type MemberPrincipal = Extract<Principal, { kind: 'member' }>;

const isSaleRatedTwice = (error: unknown) =>
  !!error && typeof error === 'object' && (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'feedback_threads_sale';

/** A member rates a visit, or sends a complaint or a suggestion. */
export async function submitFeedback(db: Db, member: MemberPrincipal, input: FeedbackInput) {
  try {
    return await inTransaction(db, async (trx) => {
      let storeId = input.storeId ?? null;
      if (storeId && !(await repo.findStore(trx, member.tenantId, storeId))) throw invalidField('body.storeId', 'No such store');
      if (input.transactionId) {
        const sale = await repo.findSale(trx, member.tenantId, input.transactionId);
        // Another member's sale, or another retailer's, reads exactly like one that does not exist.
        if (!sale || sale.member_id !== member.id) throw invalidField('body.transactionId', 'Not one of your purchases');
        if (sale.status !== 'posted') throw invalidField('body.transactionId', 'This purchase was cancelled');
        if (new Date(sale.occurred_at).getTime() < Date.now() - RATEABLE_SALE_DAYS * DAY) {
          throw invalidField('body.transactionId', `Only purchases of the last ${RATEABLE_SALE_DAYS} days can be rated`);
        }
        if (storeId && sale.store_id && storeId !== sale.store_id) throw invalidField('body.storeId', 'The purchase was made at another store');
        storeId ??= sale.store_id;
        const rated = await trx
          .selectFrom('feedback_threads').select('id')
          .where('tenant_id', '=', member.tenantId).where('transaction_id', '=', sale.id).executeTakeFirst();
        if (rated) throw new DomainError('conflict', 'This purchase was rated already');
      }
      const id = newId();
      await repo.insertThread(trx, {
        tenant_id: member.tenantId, id, member_id: member.id, kind: input.kind, rating: input.kind === 'rating' ? input.rating! : null,
        body: input.text ?? null, store_id: storeId, transaction_id: input.transactionId ?? null,
      });
      return myThread(trx, member.tenantId, id);
    });
  } catch (error) {
    if (isSaleRatedTwice(error)) throw new DomainError('conflict', 'This purchase was rated already');
    throw error;
  }
}

async function myThread(db: Db, tenantId: string, id: string) {
  const row = await repo.findThread(db, tenantId, id);
  if (!row) throw notFound('Feedback');
  return toMyFeedback(row, await repo.messagesOf(db, tenantId, [id]));
}

/** The member's own threads with the staff replies, newest first. */
export async function myFeedback(db: Db, member: MemberPrincipal, cursor?: string, limit = 20) {
  const tenant = await getTenant(db, member.tenantId);
  const { page, nextCursor } = pageOf(await repo.listThreads(db, member.tenantId, tenant.time_zone, { memberId: member.id }, limit, cursor), limit);
  const messages = await repo.messagesOf(db, member.tenantId, page.map((t) => t.id));
  return { items: page.map((row) => toMyFeedback(row, messages.filter((m) => m.thread_id === row.id))), nextCursor };
}

/** Member messages in a row without a staff reply before the member is asked to wait for an answer. */
export const MEMBER_MESSAGES_BEFORE_REPLY = 5;

/**
 * The member writes back in one of their threads. A resolved thread opens again, so it returns
 * to the inbox; the shop is not messaged (staff see it in the inbox).
 */
export async function writeBack(db: Db, member: MemberPrincipal, id: string, text: string) {
  return inTransaction(db, async (trx) => {
    const row = await repo.lockThread(trx, member.tenantId, id);
    // Another member's thread reads exactly like one that does not exist.
    if (!row || row.member_id !== member.id) throw notFound('Feedback');
    if ((await repo.memberMessagesSinceReply(trx, member.tenantId, id)) >= MEMBER_MESSAGES_BEFORE_REPLY) {
      throw new DomainError('conflict', `Please wait for an answer: ${MEMBER_MESSAGES_BEFORE_REPLY} messages are waiting already`);
    }
    await repo.insertMessage(trx, { tenant_id: member.tenantId, id: newId(), thread_id: id, author_kind: 'member', staff_id: null, body: text });
    await repo.updateThread(trx, member.tenantId, id, row.status === 'resolved' ? { status: 'open', resolved_at: null } : {});
    return myThread(trx, member.tenantId, id);
  });
}

/** What the app offers to rate: the stores, and the member's purchases of the last 30 days not rated yet. */
export async function feedbackOptions(db: Db, member: MemberPrincipal) {
  const [stores, sales] = await Promise.all([
    repo.storesOf(db, member.tenantId),
    repo.rateableSales(db, member.tenantId, member.id, new Date(Date.now() - RATEABLE_SALE_DAYS * DAY)),
  ]);
  return {
    stores,
    purchases: sales.map((s) => ({
      id: s.id, receiptNo: s.receipt_no, store: s.store_id ? { id: s.store_id, name: s.store_name ?? '' } : null,
      occurredAt: new Date(s.occurred_at).toISOString(), total: s.total,
    })),
  };
}

/** A store-bound key or staff member sees its own store's threads (another `storeId` is 403), as for the figures. */
export async function listInbox(db: Db, principal: Principal, filter: repo.InboxFilter, cursor?: string, limit = 25) {
  const tenant = await getTenant(db, principal.tenantId);
  const scoped = { ...filter, storeId: effectiveStoreId(principal, filter.storeId) ?? undefined };
  const { page, nextCursor } = pageOf(await repo.listThreads(db, principal.tenantId, tenant.time_zone, scoped, limit, cursor), limit);
  return { items: page.map(toThreadView), nextCursor };
}

export async function getThread(db: Db, principal: Principal, id: string) {
  const row = await repo.findThread(db, principal.tenantId, id);
  if (!row) throw notFound('Feedback');
  assertOfCallersStore(principal, row.store_id, 'feedback');
  const messages = await repo.messagesOf(db, principal.tenantId, [id]);
  return { ...toThreadView(row), messages: messages.map(toMessageView) };
}

async function locked(trx: Db, principal: Principal, id: string) {
  const row = await repo.lockThread(trx, principal.tenantId, id);
  if (!row) throw notFound('Feedback');
  assertOfCallersStore(principal, row.store_id, 'feedback');
  return row;
}

/** Staff who may work the inbox: owners, admins and marketers of the retailer, active. */
export const assignableStaff = (db: Db, principal: Principal) => repo.inboxStaff(db, principal.tenantId);

export async function assignThread(db: Db, principal: Principal, id: string, assigneeId: string | null) {
  return inTransaction(db, async (trx) => {
    const row = await locked(trx, principal, id);
    if (assigneeId) {
      const staff = await repo.findStaff(trx, principal.tenantId, assigneeId);
      if (!staff || !staff.active) throw invalidField('body.assigneeId', 'No such staff member');
      if (staff.role === 'cashier') throw invalidField('body.assigneeId', 'Cashiers do not work the feedback inbox');
    }
    if (row.assignee_id !== assigneeId) {
      await repo.updateThread(trx, principal.tenantId, id, { assignee_id: assigneeId });
      await recordAudit(trx, principal, { action: 'feedback.assigned', targetType: 'feedback', targetId: id, details: { from: row.assignee_id, to: assigneeId } });
    }
    return getThread(trx, principal, id);
  });
}

async function moveTo(trx: Db, principal: Principal, row: { id: string; status: FeedbackStatus }, status: FeedbackStatus) {
  if (row.status === status) return;
  await repo.updateThread(trx, principal.tenantId, row.id, { status, resolved_at: status === 'resolved' ? new Date() : null });
  await recordAudit(trx, principal, { action: 'feedback.status_changed', targetType: 'feedback', targetId: row.id, details: { from: row.status, to: status } });
}

export async function changeStatus(db: Db, principal: Principal, id: string, status: FeedbackStatus) {
  return inTransaction(db, async (trx) => {
    await moveTo(trx, principal, await locked(trx, principal, id), status);
    return getThread(trx, principal, id);
  });
}

/** The message template ({{name}} is the member's); the staff text cannot use placeholders. */
function replyText(shop: string, staffText: string) {
  const text = staffText.replaceAll('{{', '{ {');
  return {
    id: `Halo {{name}}, balasan ${shop} atas masukan Anda: ${text}`,
    en: `Hi {{name}}, ${shop} replied to your feedback: ${text}`,
  };
}

/**
 * A staff reply: kept in the thread (the member app shows it) and sent to the member as a
 * transactional message through the outbox. An open thread moves to in progress (or to `status`).
 */
export async function replyToThread(db: Db, principal: Extract<Principal, { kind: 'staff' }>, id: string, input: { text: string; status?: FeedbackStatus }) {
  return inTransaction(db, async (trx) => {
    const row = await locked(trx, principal, id);
    const tenant = await getTenant(trx, principal.tenantId);
    const queued = await queueMemberMessage(trx, {
      tenantId: principal.tenantId, memberId: row.member_id, purpose: 'feedback_reply', marketing: false, text: replyText(tenant.name, input.text),
    });
    // Not queued (a blocked member, or no channel reaches them): the reply still waits in the app, and the inbox says so.
    await repo.insertMessage(trx, {
      tenant_id: principal.tenantId, id: newId(), thread_id: id, author_kind: 'staff', staff_id: principal.id, body: input.text,
      outbox_message_id: queued.queued ? queued.messageId : null, not_sent_reason: queued.queued ? null : queued.reason,
    });
    if (!row.first_reply_at) await repo.updateThread(trx, principal.tenantId, id, { first_reply_at: new Date() });
    const next = input.status ?? (row.status === 'open' ? 'in_progress' : row.status);
    await moveTo(trx, principal, row, next);
    await recordAudit(trx, principal, {
      action: 'feedback.replied', targetType: 'feedback', targetId: id,
      details: { text: input.text, message: queued.queued ? queued.messageId : null, notSentBecause: queued.queued ? null : queued.reason },
    });
    return getThread(trx, principal, id);
  });
}

/** A store-bound key or staff member sees its own store's figures, named or not. */
const storeScoped = (principal: Principal, filter: repo.FigureFilter): repo.FigureFilter => ({
  ...filter, storeId: effectiveStoreId(principal, filter.storeId) ?? undefined,
});

export async function responseTimeFigures(db: Db, principal: Principal, filter: repo.FigureFilter) {
  const tenant = await getTenant(db, principal.tenantId);
  const row = await repo.responseTimes(db, principal.tenantId, tenant.time_zone, storeScoped(principal, filter));
  return {
    timeZone: tenant.time_zone, from: filter.from ?? null, to: filter.to ?? null,
    expecting: row.expecting, answered: row.answered, medianSeconds: row.median_seconds, averageSeconds: row.average_seconds, waiting: row.waiting,
  };
}

export async function satisfactionFigures(db: Db, principal: Principal, filter: repo.FigureFilter) {
  const tenant = await getTenant(db, principal.tenantId);
  const rows = await repo.satisfaction(db, principal.tenantId, tenant.time_zone, storeScoped(principal, filter));
  return { timeZone: tenant.time_zone, from: filter.from ?? null, to: filter.to ?? null, ...toSatisfaction(rows) };
}
