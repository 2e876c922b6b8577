import type { Routes } from '../http/route.ts';
import { LiabilitySchema, pointsLiability } from './liability.service.ts';

export function reportRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/reports/points-liability',
    summary: 'Outstanding points and their value, by tier and store, expiring in 30/60/90 days, and monthly flows',
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    responses: { 200: { description: 'The report', schema: LiabilitySchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await pointsLiability(db, principal) }),
  });
}
