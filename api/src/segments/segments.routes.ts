import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant, page } from '../http/schemas.ts';
import { SEGMENT_RULES_DOC, SegmentRulesSchema } from './segment-rules.ts';
import { SegmentMemberSchema, SegmentSchema } from './segments.mapper.ts';
import { archiveSegment, createSegment, getSegment, listSegmentMembers, listSegments, previewSegment, updateSegment } from './segments.service.ts';

const tags = ['Know the customer'];
const staffAndKeys: ('staff' | 'api_key')[] = ['staff', 'api_key'];
const read = { principals: staffAndKeys, permission: 'members.read' } as const;
const write = { principals: staffAndKeys, permission: 'programs.manage' } as const;

const SegmentFields = z.strictObject({
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Letters, digits, - and _, up to 64')
    .meta({ description: 'Unique in the tenant, archived segments included; promotions name segments by it', example: 'vip-jakarta' }),
  name: z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters'),
  description: z.string().trim().max(1000, 'At most 1000 characters').nullable().optional(),
  rules: SegmentRulesSchema,
});

const Limit = z.coerce.number().int().min(1).max(100).default(50);

export function segmentRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/segments',
    summary: 'The tenant’s segments with their live member counts, newest first',
    description: 'Each `memberCount` is evaluated now, in one pass over the members for the whole page. Filter by `status`.',
    tags,
    auth: read,
    query: CursorQuery.extend({ status: z.enum(['active', 'archived']).optional(), limit: Limit }),
    responses: { 200: { description: 'Segments', schema: page(SegmentSchema, 'SegmentPage') } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: await listSegments(db, principal, { status: query.status }, query.cursor, query.limit),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/segments',
    summary: 'Create a segment from rules; audit-logged',
    description: `${SEGMENT_RULES_DOC}\n\nTier codes and store ids must be the tenant's own (400 naming the field); a code in use is 409.`,
    tags,
    auth: write,
    body: SegmentFields,
    idempotency: 'optional',
    responses: { 201: { description: 'Created', schema: SegmentSchema }, 409: { description: 'The code is taken' } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createSegment(db, principal, body) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/segments/preview',
    summary: 'The live count and the first 20 members of rules being built (nothing is saved)',
    description: `${SEGMENT_RULES_DOC}\n\n\`at\` evaluates the windows as of another instant (default now); tiers, stages, tags and RFM scores are always the current ones. Members are listed newest first.`,
    tags,
    auth: read,
    body: z.strictObject({
      rules: SegmentRulesSchema,
      at: Instant.optional().meta({ description: 'Windows end here instead of now' }),
    }),
    responses: {
      200: { description: 'The preview', schema: z.object({ count: z.number().int(), members: z.array(SegmentMemberSchema) }).meta({ id: 'SegmentPreview' }) },
    },
    handler: async ({ db, principal, body }) => ({
      status: 200,
      body: await previewSegment(db, principal, body.rules, body.at ? new Date(body.at) : undefined),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/segments/{id}',
    summary: 'One segment with its live member count',
    tags,
    auth: read,
    params: IdParams,
    responses: { 200: { description: 'The segment', schema: SegmentSchema }, 404: { description: 'No such segment' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getSegment(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/segments/{id}',
    summary: 'Change a segment’s name, description or rules; audit-logged',
    description: 'Send only what changes; `rules` are replaced whole. The code never changes. An archived segment cannot change (409).',
    tags,
    auth: write,
    params: IdParams,
    body: SegmentFields.omit({ code: true }).partial(),
    responses: {
      200: { description: 'Updated', schema: SegmentSchema },
      404: { description: 'No such segment' },
      409: { description: 'The segment is archived' },
    },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateSegment(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/segments/{id}',
    summary: 'Archive a segment; audit-logged',
    description: 'The segment is kept (and its code stays taken) but promotions naming it no longer apply. Repeating the call changes nothing.',
    tags,
    auth: write,
    params: IdParams,
    responses: { 204: { description: 'Archived' }, 404: { description: 'No such segment' } },
    handler: async ({ db, principal, params }) => {
      await archiveSegment(db, principal, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/segments/{id}/members',
    summary: 'The members in a segment now, newest first',
    tags,
    auth: read,
    params: IdParams,
    query: CursorQuery.extend({ limit: Limit }),
    responses: { 200: { description: 'A page of members', schema: page(SegmentMemberSchema, 'SegmentMemberPage') }, 404: { description: 'No such segment' } },
    handler: async ({ db, principal, params, query }) => ({
      status: 200,
      body: await listSegmentMembers(db, principal, params.id, query.cursor, query.limit),
    }),
  });
}
