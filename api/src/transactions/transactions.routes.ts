import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, Minor, page } from '../http/schemas.ts';
import { PostedSaleSchema, TransactionSchema } from './transactions.mapper.ts';
import { findTransactions, getTransaction, postSale } from './transactions.service.ts';

const Item = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().max(200).optional(),
  category: z.string().max(100).optional(),
  quantity: z.number().int().positive().max(100_000),
  unitPrice: Minor,
});

export function transactionRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/transactions',
    summary: 'Post a sale: earn (and optionally spend) points; a receipt number posts once per store',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'sales.post' },
    idempotency: 'required',
    body: z.object({
      memberId: z.uuid().optional(),
      scanToken: z.string().max(300).optional(),
      storeId: z.uuid().optional(),
      receiptNo: z.string().trim().min(1).max(64),
      occurredAt: z.iso.datetime({ offset: true }).optional(),
      channel: z.enum(['store', 'online']).default('store'),
      items: z.array(Item).min(1).max(500),
      shipping: z.object({ fee: Minor, region: z.string().max(100).optional() }).optional(),
      voucherCodes: z.array(z.string().max(64)).max(10).optional(),
      pointsToRedeem: z.number().int().min(0).max(1e12).optional(),
      expectedTotal: Minor.optional(),
    }),
    responses: {
      201: { description: 'Posted', schema: PostedSaleSchema },
      409: { description: 'Receipt already posted (body has `transactionId`), not enough points, or `checkout_changed`' },
    },
    handler: async ({ db, deps, principal, body }) => ({ status: 201, body: await postSale(db, principal, deps.config, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/transactions',
    summary: 'Find sales, e.g. by store and receipt number',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ storeId: z.uuid().optional(), receiptNo: z.string().max(64).optional(), memberId: z.uuid().optional() }),
    responses: { 200: { description: 'Sales, newest first', schema: page(TransactionSchema, 'TransactionPage') } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await findTransactions(db, principal, query, query.cursor) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/transactions/{id}',
    summary: 'One sale with its lines',
    tags: ['Sales and points'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The sale', schema: TransactionSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getTransaction(db, principal, params.id) }),
  });
}
