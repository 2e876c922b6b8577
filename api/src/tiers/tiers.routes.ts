import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { createTier, deleteTier, listTiers, TierProgressSchema, TierSchema, tierProgress, updateTier } from './tiers.service.ts';

const TierBody = z.object({
  code: z.string().trim().regex(/^[a-z0-9_-]{1,30}$/, 'Lower-case letters, digits, - and _'),
  name: z.string().trim().min(1).max(50),
  rank: z.number().int().min(0).max(100),
  minQualifying: z.number().int().min(0).max(1e13),
  earnMultiplier: z.number().min(1).max(10).multipleOf(0.01),
  freeShipping: z.boolean().optional(),
});

export function tierRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/tiers',
    summary: 'The tier ladder, entry tier first',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Tiers', schema: z.object({ items: z.array(TierSchema) }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: await listTiers(db, principal) } }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/tiers',
    summary: 'Add a tier; members move up at once when a sale qualifies them',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: TierBody,
    responses: { 201: { description: 'Created', schema: TierSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createTier(db, principal, body) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/tiers/{id}',
    summary: 'Change a tier',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: TierBody.omit({ code: true }).partial(),
    responses: { 200: { description: 'Updated', schema: TierSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateTier(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/tiers/{id}',
    summary: 'Delete a tier no member holds and no program names; audit-logged',
    description:
      'Refused with 409 while members hold the tier, or an active reward, a promotion not archived, an earning rule, an active segment or an automation not archived names its code ' +
      '(`usedBy` counts each), and for the last tier.',
    tags: ['Programs'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such tier' }, 409: { description: 'The tier is in use, or the last one' } },
    handler: async ({ db, principal, params }) => {
      await deleteTier(db, principal, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/tier',
    summary: 'Tier progress: what is needed for the next tier, and what keeps this one',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'Progress', schema: TierProgressSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await tierProgress(db, principal.tenantId, params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/tier',
    summary: 'The signed-in member’s tier progress',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: { 200: { description: 'Progress', schema: TierProgressSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await tierProgress(db, principal.tenantId, principal.id) }),
  });
}
