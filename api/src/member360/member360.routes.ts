import { z } from 'zod';
import { FeedbackThreadSchema } from '../feedback/feedback.mapper.ts';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { MemberAuditEntrySchema, MemberMessageSchema, MemberSegmentSchema, MemberVoucherSchema } from './member360.mapper.ts';
import { memberAudit, memberFeedback, memberMessages, memberSegments, memberVouchers } from './member360.service.ts';

// The member 360° view's lists (the portal's member page). Balances, the ledger, lots, sales,
// offers, stages, the RFM profile, cards and referrals have their own member routes elsewhere.

const tags = ['Members'];
const PageQuery = CursorQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(25) });
const notFound = { 404: { description: 'No such member (another retailer’s members too)' } };

export function member360Routes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/vouchers',
    summary: 'The member’s vouchers: personal codes and shared codes they used, with status, uses and expiry (newest first)',
    description:
      'A personal code that can still be used (active, not started or disabled) is a bearer credential. It is shown in full only to those who may act for the member without the member present: owners, admins and admin keys. ' +
      'Cashiers, marketers, POS and read keys see its last 4 characters (`••••••K7QX`): the member shows the code at the till. Used-up, expired and voided codes, and shared codes, are shown in full.',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of vouchers', schema: page(MemberVoucherSchema, 'MemberVoucherPage') }, ...notFound },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await memberVouchers(db, principal, params.id, query.cursor, query.limit) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/segments',
    summary: 'The active segments the member is in now (each segment’s rules evaluated live for this member)',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: {
      200: { description: 'Segments, by name', schema: z.object({ items: z.array(MemberSegmentSchema) }).meta({ id: 'MemberSegmentList' }) },
      ...notFound,
    },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await memberSegments(db, principal, params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/messages',
    summary: 'Messages sent to the member, from the outbox, with status and failure reason (newest first)',
    description:
      'Messages queued for the member (automations, feedback replies…) and one-time codes sent to their phone or email. The body of a one-time code (sign-in, presence) is never shown: `body` is null and `oneTimeCode` true. Owners, admins and marketers (`outbox.read`).',
    tags,
    auth: { principals: ['staff'], permission: 'outbox.read' },
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of messages', schema: page(MemberMessageSchema, 'MemberMessagePage') }, ...notFound },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await memberMessages(db, principal, params.id, query.cursor, query.limit) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/feedback',
    summary: 'The member’s feedback threads (ratings, complaints, suggestions), newest first; open one with /api/v1/feedback/{id}',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of threads', schema: page(FeedbackThreadSchema, 'MemberFeedbackPage') }, ...notFound },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await memberFeedback(db, principal, params.id, query.cursor, query.limit) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/audit',
    summary: 'The audit trail about the member: changes to the record, points adjustments, cards, merges, and their feedback threads and reward redemptions (newest first)',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'audit.read' },
    params: IdParams,
    query: PageQuery,
    responses: { 200: { description: 'A page of audit entries', schema: page(MemberAuditEntrySchema, 'MemberAuditPage') }, ...notFound },
    handler: async ({ db, principal, params, query }) => ({ status: 200, body: await memberAudit(db, principal, params.id, query.cursor, query.limit) }),
  });
}
