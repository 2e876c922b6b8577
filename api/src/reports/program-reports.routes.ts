import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CalendarDate } from '../http/schemas.ts';
import {
  ACTIVE_RULES, ActiveReportSchema, activeMembers, acquisitionFunnel, COHORT_RULES, CohortReportSchema, FUNNEL_RULES, FunnelReportSchema,
  OFFER_RESULTS_RULES, OfferResultsReportSchema, offerResultsReport, PERIOD_RULES, REDEMPTION_RULES, RedemptionReportSchema, redemptionReport,
  retentionCohorts, RFM_GRID_RULES, RfmGridReportSchema, rfmGridReport,
} from './program-reports.service.ts';


export const PeriodQuery = z.object({
  from: CalendarDate.optional().meta({ description: 'First day, on the retailer’s calendar' }),
  to: CalendarDate.optional().meta({ description: 'Last day, inclusive (default: today)' }),
  storeId: z.uuid().optional().meta({ description: 'Only what happened at this store' }),
});

const auth = { principals: ['staff', 'api_key'] as ('staff' | 'api_key')[], permission: 'reports.read' as const };
const tags = ['Reports'];
const bad = { 400: { description: 'A bad period or an unknown store (the field is named)' } };

/** The program reports (issue 8): funnel, cohorts, RFM grid, active members, redemption, offer results. */
export function programReportRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/reports/acquisition',
    summary: 'Acquisition funnel by member source: prospects → first purchase → repeat purchase (default: the last 30 days)',
    description: `${FUNNEL_RULES}\n\n${PERIOD_RULES}`,
    tags, auth, query: PeriodQuery,
    responses: { 200: { description: 'The funnel', schema: FunnelReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await acquisitionFunnel(db, principal, query) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/retention',
    summary: 'Retention cohorts by join month: members and the share active in month 0, 1, 2, … (default: the last 12 months)',
    description: `${COHORT_RULES}\n\n${PERIOD_RULES}`,
    tags, auth, query: PeriodQuery,
    responses: { 200: { description: 'The cohorts', schema: CohortReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await retentionCohorts(db, principal, query) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/rfm-grid',
    summary: 'RFM grid: members and monetary sums by recency × frequency score, for the members who bought in the period or at a store',
    description: `${RFM_GRID_RULES}\n\n${PERIOD_RULES}`,
    tags, auth, query: PeriodQuery,
    responses: { 200: { description: 'The grid', schema: RfmGridReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await rfmGridReport(db, principal, query) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/active-members',
    summary: 'Active members over time by day, week or month, with new and total members (default: the last 12 months by month)',
    description: `${ACTIVE_RULES}\n\n${PERIOD_RULES}`,
    tags, auth,
    query: PeriodQuery.extend({ bucket: z.enum(['day', 'week', 'month']).default('month') }),
    responses: { 200: { description: 'The series', schema: ActiveReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await activeMembers(db, principal, query) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/redemption',
    summary: 'Redemption rate: points issued, redeemed and expired; vouchers issued and redeemed by origin; rewards redeemed (default: the last 30 days)',
    description: `${REDEMPTION_RULES}\n\n${PERIOD_RULES}`,
    tags, auth, query: PeriodQuery,
    responses: { 200: { description: 'The figures', schema: RedemptionReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await redemptionReport(db, principal, query) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/reports/offers',
    summary: 'Results of every offer: shown, reached, converted, conversion rate, extra revenue (default: the last 30 days)',
    description: `${OFFER_RESULTS_RULES}\n\n${PERIOD_RULES}`,
    tags, auth, query: PeriodQuery,
    responses: { 200: { description: 'The results', schema: OfferResultsReportSchema }, ...bad },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await offerResultsReport(db, principal, query) }),
  });
}
