import type { Db } from '../deps.ts';
import { listInbox } from '../feedback/feedback.service.ts';
import { rulesOf } from '../segments/segments.mapper.ts';
import { segmentsOfMember } from '../segments/segments.repository.ts';
import { notFound } from '../shared/errors.ts';
import { pageOf } from '../shared/page.ts';
import { needsMemberPresence, type Principal } from '../shared/principal.ts';
import { statusOf } from '../vouchers/voucher-redemptions.service.ts';
import { memberUses, vouchersOfMember } from '../vouchers/vouchers.repository.ts';
import { toMemberAuditEntry, toMemberMessage, toMemberSegment, toMemberVoucher } from './member360.mapper.ts';
import * as repo from './member360.repository.ts';

// The parts of the member 360° view that no other domain lists per member. Each read starts by
// finding the member in the caller's tenant, so another tenant's member is a 404 like an unknown one.

async function requireMember(db: Db, principal: Principal, memberId: string) {
  const member = await repo.findMemberContact(db, principal.tenantId, memberId);
  if (!member) throw notFound('Member');
  return member;
}

export async function memberVouchers(db: Db, principal: Principal, memberId: string, cursor?: string, limit = 25, now = new Date()) {
  await requireMember(db, principal, memberId);
  const { page, nextCursor } = pageOf(await vouchersOfMember(db, principal.tenantId, memberId, limit, cursor), limit);
  const uses = await memberUses(db, principal.tenantId, page.map((row) => row.id), memberId);
  return {
    items: page.map((row) => toMemberVoucher(row, memberId, statusOf(row, now.getTime()), uses.get(row.id) ?? 0, !needsMemberPresence(principal))),
    nextCursor,
  };
}

/** The active segments the member is in now: every segment's rules evaluated for this one member in one query. */
export async function memberSegments(db: Db, principal: Principal, memberId: string, now = new Date()) {
  await requireMember(db, principal, memberId);
  const segments = await repo.activeSegments(db, principal.tenantId);
  const inside = new Set(await segmentsOfMember(db, principal.tenantId, memberId, segments.map((s) => ({ code: s.code, rules: rulesOf(s) })), now));
  return { items: segments.filter((s) => inside.has(s.code)).map(toMemberSegment) };
}

export async function memberMessages(db: Db, principal: Principal, memberId: string, cursor?: string, limit = 25) {
  const member = await requireMember(db, principal, memberId);
  const { page, nextCursor } = pageOf(await repo.messagesOfMember(db, principal.tenantId, member, limit, cursor), limit);
  return { items: page.map(toMemberMessage), nextCursor };
}

export async function memberFeedback(db: Db, principal: Principal, memberId: string, cursor?: string, limit = 25) {
  await requireMember(db, principal, memberId);
  return listInbox(db, principal, { memberId }, cursor, limit);
}

/** Audit rows about the member: the member's record, and their feedback threads and reward redemptions. */
export async function memberAudit(db: Db, principal: Principal, memberId: string, cursor?: string, limit = 25) {
  await requireMember(db, principal, memberId);
  const targets = [memberId, ...(await repo.subjectIdsOfMember(db, principal.tenantId, memberId))];
  const { page, nextCursor } = pageOf(await repo.auditOfTargets(db, principal.tenantId, targets, limit, cursor), limit);
  return { items: page.map(toMemberAuditEntry), nextCursor };
}
