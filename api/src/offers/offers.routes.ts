import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Instant, page } from '../http/schemas.ts';
import { getMember } from '../members/members.service.ts';
import { invalidField } from '../shared/errors.ts';
import { OfferBody, OfferPatch } from './offer-schema.ts';
import { OfferSchema, ShownOfferSchema, TotalsSchema } from './offers.mapper.ts';
import {
  changeOfferStatus, createOffer, getOffer, listOffers, memberOfferHistory, memberOffers, offerResults, recordShowing, updateOffer,
} from './offers.service.ts';

const HOW_OFFERS_WORK = `An offer applies to a member when it is active and live, the member is in its \`segment\` (if any), it was shown fewer than \`maxShows\` times in the last \`capDays\` days, its \`trigger\` (SKUs or categories) meets what the member is buying or bought in the last 90 days, and its suggestion is not in the cart already. Offers are ranked by \`priority\`, then those the cart triggered, and at most 3 are shown (10 in the member app): in \`POST /api/v1/scan\` (recorded as shown at the till), \`POST /api/v1/checkout/evaluate\` (not recorded: a web shop reports what it showed with \`POST /api/v1/offers/{id}/showings\`), and the member app (\`GET /api/v1/me/offers\`, recorded at most once in 24 hours). The first showing to a member issues the offer's personal voucher, if it has one.

A posted sale of the member with the suggested SKU (or an item of the suggested category) within \`conversionDays\` of a showing (or up to 30 minutes before a showing made before the sale was posted: a POS dates a sale when it was rung up, or by a clock a little behind) converts the newest open showing of that offer — once: buying the item again does not convert the showings before that conversion. A sale line counts for one offer only: when several offers suggest it, the one shown last (then the higher \`priority\`) converts. Revenue is what the suggested lines paid (after discounts); \`bonusPoints\` are given at conversion. A voided sale's conversions are undone, their bonus points reversed with the sale's own; a refund lowers a conversion's revenue to what its suggested lines still hold, and once they are all refunded the conversion is undone the same way. The conversion rate is the share of the members reached who converted.`;

const ResultsQuery = z.object({
  from: Instant.optional().meta({ description: 'Showings from (default: 30 days ago)' }),
  to: Instant.optional().meta({ description: 'Showings until (default: now)' }),
});

export function offerRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/offers',
    summary: 'Up-sell and cross-sell offers, newest first, with their results over the last 30 days',
    description: HOW_OFFERS_WORK,
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ status: z.enum(['active', 'paused', 'archived']).optional().meta({ description: 'Default: active and paused' }) }),
    responses: { 200: { description: 'A page of offers', schema: page(OfferSchema, 'OfferPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await listOffers(db, principal, { status: query.status }, query.cursor) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/offers',
    summary: 'Create an offer (audit-logged)',
    description: HOW_OFFERS_WORK,
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: OfferBody,
    responses: { 201: { description: 'Created', schema: OfferSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createOffer(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/offers/{id}',
    summary: 'An offer with its results over the last 30 days',
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The offer', schema: OfferSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getOffer(db, principal, params.id) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/offers/{id}',
    summary: 'Change an offer (audit-logged); an archived one cannot change',
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    params: IdParams,
    body: OfferPatch,
    responses: { 200: { description: 'The offer', schema: OfferSchema }, 409: { description: 'Archived' } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateOffer(db, principal, params.id, body) }),
  });

  for (const action of ['pause', 'resume', 'archive'] as const) {
    routes.add({
      method: 'post',
      path: `/api/v1/offers/{id}/${action}`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} an offer (audit-logged)`,
      tags: ['Offers'],
      auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
      params: IdParams,
      responses: { 200: { description: 'The offer', schema: OfferSchema }, 409: { description: 'Archived' } },
      handler: async ({ db, principal, params }) => ({ status: 200, body: await changeOfferStatus(db, principal, params.id, action) }),
    });
  }

  routes.add({
    method: 'get',
    path: '/api/v1/offers/{id}/results',
    summary: 'Showings, members reached, conversions, conversion rate and revenue, with a line per day',
    description: HOW_OFFERS_WORK,
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'reports.read' },
    params: IdParams,
    query: ResultsQuery,
    responses: {
      200: {
        description: 'Results over showings in the window (days on the retailer’s calendar)',
        schema: TotalsSchema.extend({
          from: z.string(),
          to: z.string(),
          daily: z.array(z.object({ day: z.string(), shown: z.number().int(), converted: z.number().int(), revenue: z.number().int() })),
        }).meta({ id: 'OfferResults' }),
      },
    },
    handler: async ({ db, principal, params, query }) => {
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86400e3);
      if (from > to) throw invalidField('query.from', 'Must not be after to');
      if (to.getTime() - from.getTime() > 731 * 86400e3) throw invalidField('query.from', 'At most two years');
      return { status: 200, body: await offerResults(db, principal, params.id, { from, to }) };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/offers/{id}/showings',
    summary: 'Record that a web shop (or a message) showed the offer to a member; answers with the member’s voucher',
    description: `${HOW_OFFERS_WORK}\n\nA showing is refused (409, \`reason\`: \`not_live\`, \`not_in_segment\` or \`capped\`) when the offer is not running now, the member is not in its segment, or the member was shown it \`maxShows\` times in the last \`capDays\` days: no showing is recorded and no voucher issued. A paused or archived offer is 404.`,
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    params: IdParams,
    body: z.object({ memberId: z.uuid(), channel: z.enum(['online', 'message']).default('online') }),
    responses: { 201: { description: 'Recorded', schema: ShownOfferSchema }, 409: { description: 'The offer does not apply to the member now' } },
    handler: async ({ db, principal, params, body }) => ({ status: 201, body: await recordShowing(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/offers',
    summary: 'The offers shown to a member, newest first (at most 100), and whether each converted',
    tags: ['Offers'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: {
      200: {
        description: 'Showings',
        schema: z.object({
          items: z.array(z.object({
            id: z.uuid(), offerId: z.uuid(), name: z.string(), channel: z.string(), shownAt: z.string(), convertedAt: z.string().nullable(), revenue: z.number().int(),
          })),
        }),
      },
    },
    handler: async ({ db, principal, params }) => {
      await getMember(db, principal.tenantId, params.id);
      return { status: 200, body: { items: await memberOfferHistory(db, principal, params.id) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/offers',
    summary: 'Offers for the signed-in member (at most 10), from what they bought in the last 90 days',
    description: HOW_OFFERS_WORK,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: { 200: { description: 'Offers', schema: z.object({ items: z.array(ShownOfferSchema) }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: await memberOffers(db, principal.tenantId, principal.id) } }),
  });
}
