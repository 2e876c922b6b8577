import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Points } from '../http/schemas.ts';
import { Balances } from '../members/members.mapper.ts';
import { openLotsOf, pointsOf } from './ledger.service.ts';
import { LotSchema, PointsSchema, toLotView, toPointsView } from './points.mapper.ts';
import { adjustPoints, redeemPoints } from './points.service.ts';

export function pointsRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/points',
    summary: 'Balances, what expires when, and the ledger entries (newest first)',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    query: CursorQuery,
    responses: { 200: { description: 'Points', schema: PointsSchema } },
    handler: async ({ db, principal, params, query }) => ({
      status: 200,
      body: toPointsView(await pointsOf(db, principal.tenantId, params.id, query.cursor)),
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/points/lots',
    summary: 'The member’s lots with points left: pending (with when they post) and posted (with when they expire)',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'Lots', schema: z.object({ items: z.array(LotSchema) }) } },
    handler: async ({ db, principal, params }) => ({
      status: 200,
      body: { items: (await openLotsOf(db, principal.tenantId, params.id)).map(toLotView) },
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/points/redemptions',
    summary: 'Spend points; needs a fresh scanToken for cashiers and POS keys',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'points.redeem' },
    idempotency: 'required',
    params: IdParams,
    body: z.object({ points: Points, scanToken: z.string().max(300).optional(), note: z.string().max(500).optional(), storeId: z.uuid().optional() }),
    responses: {
      201: { description: 'Spent', schema: z.object({ points: Balances }) },
      409: { description: 'More than the spendable balance; nothing changed' },
    },
    handler: async ({ db, deps, principal, params, body }) => ({
      status: 201,
      body: await redeemPoints(db, principal, deps.config, params.id, body),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/points/adjustments',
    summary: 'Correct a balance with a compensating entry (owner/admin), audit-logged',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'points.adjust' },
    params: IdParams,
    body: z.object({
      points: z.number().int().min(-1e12).max(1e12).refine((n) => n !== 0, 'Must not be zero'),
      reason: z.string().trim().min(3).max(500),
    }),
    responses: { 201: { description: 'Adjusted', schema: z.object({ points: Balances }) }, 409: { description: 'Would make the balance negative' } },
    handler: async ({ db, principal, params, body }) => ({ status: 201, body: await adjustPoints(db, principal, params.id, body) }),
  });
}
