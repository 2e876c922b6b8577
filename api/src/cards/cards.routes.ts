import { z } from 'zod';
import { consume, tillOf } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { MemberSchema } from '../members/members.mapper.ts';
import { DomainError } from '../shared/errors.ts';
import { can } from '../shared/principal.ts';
import { attachStockCard, generateStock, MAX_STOCK_BATCH, stockCodesCsv, stockSheetPdf } from './card-stock.service.ts';
import { CardSchema } from './cards.mapper.ts';
import { cardHistory, replaceCard, scannedKind, setCardBlocked } from './cards.service.ts';

const CardHistory = z.object({ items: z.array(CardSchema) }).meta({ id: 'CardHistory' });

export function cardRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/card/replace',
    summary: 'Replace a lost or damaged card: a new number, code and app secret; the old card stops scanning; points stay',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    params: IdParams,
    body: z.object({ reason: z.enum(['lost', 'damaged']) }),
    idempotency: 'optional',
    responses: { 201: { description: 'The new card', schema: CardSchema }, 404: { description: 'No such member' } },
    handler: async ({ db, deps, principal, params, body }) => ({
      status: 201,
      body: await replaceCard(db, principal, deps.config.secretKey, params.id, body.reason),
    }),
  });

  for (const [action, blocked] of [['block', true], ['unblock', false]] as const) {
    routes.add({
      method: 'post',
      path: `/api/v1/members/{id}/card/${action}`,
      summary: blocked
        ? 'Block the member’s current card: it scans like an unknown card (404) until unblocked'
        : 'Unblock the member’s current card: it scans again',
      description: 'Owners, admins and admin API keys (permission `cards.manage`). Repeating the call changes nothing.',
      tags: ['Cards'],
      auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
      params: IdParams,
      responses: { 200: { description: 'The card', schema: CardSchema }, 404: { description: 'No such member, or no current card' } },
      handler: async ({ db, principal, params }) => ({ status: 200, body: await setCardBlocked(db, principal, params.id, blocked) }),
    });
  }

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/cards',
    summary: 'The member’s cards, newest first: the current one and those it replaced',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'Card history', schema: CardHistory }, 404: { description: 'No such member' } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await cardHistory(db, principal.tenantId, params.id) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/cards/stock',
    summary: 'Generate a batch of pre-printed, unassigned cards',
    description: 'Owners, admins and admin API keys (permission `cards.manage`). Download the codes for the print shop from `/api/v1/cards/stock/{batchId}/codes.csv`.',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    body: z.object({ count: z.number().int().min(1).max(MAX_STOCK_BATCH) }),
    idempotency: 'optional',
    responses: {
      201: { description: 'The batch', schema: z.object({ batchId: z.uuid(), count: z.number().int() }).meta({ id: 'CardStockBatch' }) },
    },
    handler: async ({ db, deps, principal, body }) => ({ status: 201, body: await generateStock(db, principal, deps.config.secretKey, body.count) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/cards/stock/{batchId}/codes.csv',
    summary: 'The batch’s card numbers and printed QR codes as CSV (`card_number,code`), for the print shop',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: z.object({ batchId: z.uuid() }),
    responses: {
      200: { description: 'CSV with a header row', schema: z.string(), contentType: 'text/csv' },
      404: { description: 'No such batch' },
    },
    handler: async ({ db, deps, principal, params }) => ({
      status: 200,
      body: await stockCodesCsv(db, deps.config.secretKey, principal.tenantId, params.batchId),
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="kartu-stock-${params.batchId}.csv"`,
        'Cache-Control': 'no-store',
      },
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/cards/stock/{batchId}/sheet.pdf',
    summary: 'The batch as print-ready A4 sheets: 10 CR80 cards a page, with crop marks',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: z.object({ batchId: z.uuid() }),
    responses: {
      200: { description: 'PDF', schema: z.string().meta({ format: 'binary' }), contentType: 'application/pdf' },
      404: { description: 'No such batch' },
    },
    handler: async ({ db, deps, principal, params }) => ({
      status: 200,
      body: await stockSheetPdf(db, deps.config.secretKey, principal.tenantId, params.batchId),
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="kartu-stock-${params.batchId}.pdf"`,
        'Cache-Control': 'no-store',
      },
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/cards/attach',
    summary: 'Sign a walk-in customer up with the pre-printed card they hand over (its QR code or typed number), in one step',
    description:
      'Needs `members.write` and `scan` (cashiers, POS keys, owners, admins). Rate-limited like `/scan`. An unknown, forged or another retailer’s card → 404; a card that already belongs to a member → 409 `card_assigned`; a phone already registered → 409 `phone_taken` (the card stays unassigned).',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    body: z.object({
      code: z.string().trim().min(1).max(200),
      name: z.string().trim().min(1).max(100),
      phone: z.string().trim().min(6).max(30).meta({ example: '0812 3456 7890' }),
      email: z.email().max(200).optional(),
      birthDate: z.iso.date().optional(),
      marketingOptIn: z.boolean().optional(),
    }),
    idempotency: 'optional',
    responses: {
      201: { description: 'The new member, holding that card', schema: MemberSchema },
      404: { description: 'Unknown, forged or foreign card' },
      409: { description: 'The card already belongs to a member (card_assigned), or the phone is registered (phone_taken)' },
      429: { description: 'Too many scans from this IP or till; see Retry-After' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      if (!can(principal, 'scan')) throw new DomainError('forbidden', 'Your role may not do this (scan)');
      const till = tillOf(principal);
      await consume(deps.limits.scanByIp, ctx.ip);
      await consume(deps.limits.scanByTill, till);
      if (scannedKind(body.code) === 'typed') {
        await consume(deps.limits.typedScanByIp, ctx.ip);
        await consume(deps.limits.typedScanByTill, till);
      }
      const { code, ...member } = body;
      return { status: 201, body: await attachStockCard(db, principal, deps.config.secretKey, code, member) };
    },
  });
}
