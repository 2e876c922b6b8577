import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { consume } from '../http/rate-limits.ts';
import { CalendarDate, CursorQuery, IdParams, page } from '../http/schemas.ts';
import { invalidField } from '../shared/errors.ts';
import {
  FeedbackKindSchema, FeedbackStatusSchema, FeedbackThreadDetailSchema, FeedbackThreadSchema, MyFeedbackSchema, ResponseTimesSchema, SatisfactionSchema,
} from './feedback.mapper.ts';
import {
  assignableStaff, assignThread, changeStatus, feedbackOptions, getThread, listInbox, MEMBER_MESSAGES_BEFORE_REPLY, myFeedback, RATEABLE_SALE_DAYS,
  replyToThread, responseTimeFigures, satisfactionFigures, submitFeedback, writeBack,
} from './feedback.service.ts';

const HOW_FEEDBACK_WORKS = `Members rate a visit (1–5, with an optional comment, the store and/or one of their own purchases of the last ${RATEABLE_SALE_DAYS} days — each purchase is rated once) or send a complaint or a suggestion (text, optional store) from the member app: at most 10 an hour per member.

Staff work them in the portal's inbox: owners, admins and marketers (permission \`feedback.manage\`; admin API keys too); cashiers do not see the inbox. A thread is \`open\`, \`in_progress\` or \`resolved\`; it can be assigned to an active owner, admin or marketer of the retailer. A staff reply is kept in the thread (the member sees it in the app) and sent to the member as a transactional message through the outbox (each reply's \`delivery\` says whether it reached them, or why not); members write back in their threads from the app; the first reply moves an open thread to in progress unless the reply sets another status. Assignments, status changes and replies are audit-logged. Staff or a key bound to a store see and work that store's threads only (another store's, or one naming no store, is 403), and its figures.

Figures (permission \`reports.read\`): response time = first staff reply − creation, over the threads that expect an answer (complaints, suggestions, ratings with a comment); satisfaction = the ratings by store and by month of the retailer's time zone. Periods are local dates of the retailer, both inclusive.`;

const Text = z.string().trim().min(1, 'Must not be empty').max(2000);

const Period = z.object({
  from: CalendarDate.optional().meta({ description: 'Created on or after this local date' }),
  to: CalendarDate.optional().meta({ description: 'Created on or before this local date' }),
});

function checkPeriod<T extends { from?: string; to?: string }>(query: T): T {
  if (query.from && query.to && query.from > query.to) throw invalidField('query.from', 'Must not be after to');
  return query;
}

const SubmitBody = z
  .object({
    kind: FeedbackKindSchema,
    rating: z.number().int().min(1).max(5).optional().meta({ description: 'Stars, 1–5: required for a rating, absent otherwise' }),
    text: Text.optional().meta({ description: 'The comment of a rating (optional), the text of a complaint or a suggestion (required)' }),
    storeId: z.uuid().optional(),
    transactionId: z.uuid().optional().meta({ description: `A rating only: one of the member's own purchases of the last ${RATEABLE_SALE_DAYS} days` }),
  })
  .superRefine((body, ctx) => {
    if (body.kind === 'rating') {
      if (body.rating === undefined) ctx.addIssue({ code: 'custom', path: ['rating'], message: 'Required for a rating' });
    } else {
      if (body.text === undefined) ctx.addIssue({ code: 'custom', path: ['text'], message: `Required for a ${body.kind}` });
      if (body.rating !== undefined) ctx.addIssue({ code: 'custom', path: ['rating'], message: 'Only a rating has stars' });
      if (body.transactionId !== undefined) ctx.addIssue({ code: 'custom', path: ['transactionId'], message: 'Only a rating names a purchase' });
    }
  });

const InboxQuery = CursorQuery.extend(Period.shape).extend({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  status: FeedbackStatusSchema.optional(),
  kind: FeedbackKindSchema.optional(),
  storeId: z.uuid().optional(),
  assignee: z.union([z.uuid(), z.literal('none')]).optional().meta({ description: 'A staff id, or `none` for unassigned threads' }),
  rating: z.coerce.number().int().min(1).max(5).optional(),
});

const FigureQuery = Period.extend({ storeId: z.uuid().optional() });

const tags = ['Feedback'];

export function feedbackRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/me/feedback',
    summary: 'The signed-in member rates a visit, or sends a complaint or a suggestion',
    description: HOW_FEEDBACK_WORKS,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: SubmitBody,
    responses: {
      201: { description: 'Received', schema: MyFeedbackSchema },
      409: { description: 'The purchase was rated already' },
      429: { description: 'More than 10 in an hour' },
    },
    handler: async ({ db, deps, principal, body }) => {
      await consume(deps.limits.feedbackByMember, `${principal.tenantId}:${principal.id}`);
      return { status: 201, body: await submitFeedback(db, principal, body) };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/feedback',
    summary: 'The signed-in member’s ratings, complaints and suggestions with the replies, newest first',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    query: CursorQuery,
    responses: { 200: { description: 'Threads', schema: page(MyFeedbackSchema, 'MyFeedbackPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await myFeedback(db, principal, query.cursor) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/me/feedback/{id}/messages',
    summary: 'The signed-in member writes back in one of their threads',
    description: `The message joins the thread the staff work in the portal's inbox; a resolved thread opens again. After ${MEMBER_MESSAGES_BEFORE_REPLY} messages in a row without an answer the member is asked to wait (409).`,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    params: IdParams,
    body: z.object({ text: Text }),
    responses: {
      201: { description: 'The thread with the new message', schema: MyFeedbackSchema },
      404: { description: 'Not one of the member’s threads' },
      409: { description: 'Waiting for an answer' },
      429: { description: 'More than 10 in an hour' },
    },
    handler: async ({ db, deps, principal, params, body }) => {
      await consume(deps.limits.feedbackByMember, `${principal.tenantId}:${principal.id}`);
      return { status: 201, body: await writeBack(db, principal, params.id, body.text) };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/feedback/options',
    summary: 'What the signed-in member can rate: the stores, and their purchases of the last 30 days not rated yet',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: {
      200: {
        description: 'Stores and purchases',
        schema: z.object({
          stores: z.array(z.object({ id: z.uuid(), name: z.string() })),
          purchases: z.array(z.object({
            id: z.uuid(), receiptNo: z.string(), store: z.object({ id: z.uuid(), name: z.string() }).nullable(), occurredAt: z.string(),
            total: z.number().int().meta({ description: 'Minor units' }),
          })),
        }).meta({ id: 'FeedbackOptions' }),
      },
    },
    handler: async ({ db, principal }) => ({ status: 200, body: await feedbackOptions(db, principal) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/feedback',
    summary: 'The feedback inbox, newest first, filtered',
    description: HOW_FEEDBACK_WORKS,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    query: InboxQuery,
    responses: { 200: { description: 'A page of threads', schema: page(FeedbackThreadSchema, 'FeedbackThreadPage') } },
    handler: async ({ db, principal, query }) => {
      const { cursor, limit, ...filter } = checkPeriod(query);
      return { status: 200, body: await listInbox(db, principal, filter, cursor, limit) };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/feedback/assignees',
    summary: 'Staff a thread can be assigned to: active owners, admins and marketers',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    responses: {
      200: {
        description: 'Staff',
        schema: z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.enum(['owner', 'admin', 'marketer', 'cashier']) })) }),
      },
    },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: await assignableStaff(db, principal) } }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/feedback/response-times',
    summary: 'Response time to members’ feedback: median and average of first reply − creation, and how many still wait',
    description: HOW_FEEDBACK_WORKS,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: FigureQuery,
    responses: { 200: { description: 'Figures', schema: ResponseTimesSchema } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await responseTimeFigures(db, principal, checkPeriod(query)) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/feedback/satisfaction',
    summary: 'Satisfaction scores by store and month (the retailer’s time zone): average rating, count, share of 4–5, distribution',
    description: HOW_FEEDBACK_WORKS,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: FigureQuery,
    responses: { 200: { description: 'Scores', schema: SatisfactionSchema } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await satisfactionFigures(db, principal, checkPeriod(query)) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/feedback/{id}',
    summary: 'A feedback thread with its messages',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    params: IdParams,
    responses: { 200: { description: 'The thread', schema: FeedbackThreadDetailSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getThread(db, principal, params.id) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/feedback/{id}/assignment',
    summary: 'Assign a thread to an owner, admin or marketer of the retailer, or to nobody (audit-logged)',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    params: IdParams,
    body: z.object({ assigneeId: z.uuid().nullable() }),
    responses: { 200: { description: 'The thread', schema: FeedbackThreadDetailSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await assignThread(db, principal, params.id, body.assigneeId) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/feedback/{id}/status',
    summary: 'Set a thread open, in progress or resolved (audit-logged)',
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'feedback.manage' },
    params: IdParams,
    body: z.object({ status: FeedbackStatusSchema }),
    responses: { 200: { description: 'The thread', schema: FeedbackThreadDetailSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await changeStatus(db, principal, params.id, body.status) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/feedback/{id}/replies',
    summary: 'Reply to the member: kept in the thread and sent as a transactional message (audit-logged)',
    description: HOW_FEEDBACK_WORKS,
    tags,
    auth: { principals: ['staff'], permission: 'feedback.manage' },
    params: IdParams,
    body: z.object({ text: Text, status: FeedbackStatusSchema.optional().meta({ description: 'The status afterwards (default: in progress if it was open)' }) }),
    responses: { 201: { description: 'The thread', schema: FeedbackThreadDetailSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 201, body: await replyToThread(db, principal, params.id, body) }),
  });
}
