import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { MemberProfileSchema, RfmReportSchema } from './rfm.mapper.ts';
import { memberProfile, recomputeRfm, RFM_FORMULAS, rfmReport } from './rfm.service.ts';

const tags = ['Know the customer'];

export function rfmRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/rfm/recompute',
    summary: 'Recompute the tenant’s RFM scores and CLV now',
    description: RFM_FORMULAS,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    idempotency: 'optional',
    responses: {
      200: {
        description: 'Recomputed',
        schema: z.object({ customers: z.number().int().meta({ description: 'Members scored' }), computedAt: z.string() }).meta({ id: 'RfmRecomputed' }),
      },
    },
    handler: async ({ db, principal }) => ({ status: 200, body: await recomputeRfm(db, principal) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/rfm',
    summary: 'Members by recency and frequency score (5 × 5), with their average monetary value',
    description: RFM_FORMULAS,
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    responses: { 200: { description: 'The grid', schema: RfmReportSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await rfmReport(db, principal) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/profile',
    summary: 'A member’s RFM scores, CLV and purchase profile (how often, on which days, which categories)',
    description: `The purchase profile covers all the member's posted sales; spend is net of discounts and refunds, shipping excluded.\n${RFM_FORMULAS}`,
    tags,
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The profile', schema: MemberProfileSchema }, 404: { description: 'No such member' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await memberProfile(db, principal, params.id) }),
  });
}
