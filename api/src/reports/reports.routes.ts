import type { Routes } from '../http/route.ts';
import { z } from 'zod';
import { CursorQuery, page } from '../http/schemas.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { programReportRoutes } from './program-reports.routes.ts';
import { ExpiringMemberSchema, expiringMembers, LiabilitySchema, pointsLiability } from './liability.service.ts';

export function reportRoutes(routes: Routes) {
  programReportRoutes(routes);
  dashboardRoutes(routes);

  routes.add({
    method: 'get',
    path: '/api/v1/reports/points-liability',
    summary: 'Outstanding points and their value, by tier and store, expiring in 30/60/90 days, and monthly flows',
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    responses: { 200: { description: 'The report', schema: LiabilitySchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await pointsLiability(db, principal) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/expiring-points',
    summary: 'Members whose points expire within `days` (default 30), for reminders',
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: CursorQuery.extend({ days: z.coerce.number().int().min(1).max(365).default(30) }),
    responses: { 200: { description: 'Members and their expiring points', schema: page(ExpiringMemberSchema, 'ExpiringMemberPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await expiringMembers(db, principal, query.days, query.cursor) }),
  });
}
