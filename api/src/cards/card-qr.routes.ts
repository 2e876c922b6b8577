import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { memberCardQrSvg } from './card-qr.service.ts';

export function cardQrRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/card/qr.svg',
    summary: 'The QR of the member’s current card as SVG: the signed code the printed card carries',
    description:
      'Owners, admins and admin API keys (permission `cards.manage`): the code lets a till obtain a `scanToken` that spends for the member, so only roles that may spend without the member present see it. No member, or no active card (blocked or none) → 404. Not cached (`Cache-Control: no-store`).',
    tags: ['Cards'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: IdParams,
    responses: {
      200: { description: 'SVG image', schema: z.string(), contentType: 'image/svg+xml' },
      404: { description: 'No such member, or no active card' },
    },
    handler: async ({ db, deps, principal, params }) => ({
      status: 200,
      body: await memberCardQrSvg(db, principal, deps.config.secretKey, params.id),
      headers: { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'no-store' },
    }),
  });
}
