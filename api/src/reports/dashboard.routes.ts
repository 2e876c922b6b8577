import type { Routes } from '../http/route.ts';
import { DASHBOARD_RULES, DashboardSchema, dashboard } from './dashboard.service.ts';
import { PeriodQuery } from './program-reports.routes.ts';
import { PERIOD_RULES } from './program-reports.service.ts';

export function dashboardRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/reports/dashboard',
    summary: 'Dashboard: members, sales through members, points, liability, top rewards and offers, acquisition funnel (default: the last 30 days)',
    description: `${DASHBOARD_RULES}\n\n${PERIOD_RULES}`,
    tags: ['Reports'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    query: PeriodQuery,
    responses: {
      200: { description: 'The dashboard', schema: DashboardSchema },
      400: { description: 'A bad period or an unknown store (the field is named)' },
    },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await dashboard(db, principal, query) }),
  });
}
