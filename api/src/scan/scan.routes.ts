import { z } from 'zod';
import { consume } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { TierRef } from '../members/members.mapper.ts';
import { scan } from './scan.service.ts';

export function scanRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/scan',
    summary: 'Resolve what a scanner read (card QR or typed card number) to the member at the till',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'scan' },
    body: z.object({ code: z.string().trim().min(1).max(200), storeId: z.uuid().optional() }),
    responses: {
      200: {
        description: 'The member, balances and a scanToken that lets the till spend for 5 minutes',
        schema: z
          .object({
            member: z.object({ id: z.uuid(), name: z.string(), tier: TierRef }),
            points: z.object({ balance: z.number().int(), pending: z.number().int() }),
            vouchers: z.array(z.unknown()),
            offers: z.array(z.unknown()),
            scanToken: z.string(),
          })
          .meta({ id: 'ScanResult' }),
      },
      404: { description: 'Unknown, forged, stale, blocked or replaced code (indistinguishable)' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      await consume(deps.limits.scanByIp, ctx.ip);
      return { status: 200, body: await scan(db, principal, deps.config, body) };
    },
  });
}
