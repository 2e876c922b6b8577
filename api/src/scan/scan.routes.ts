import { z } from 'zod';
import { consume, tillOf } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { scannedKind } from '../cards/cards.service.ts';
import { TierRef } from '../members/members.mapper.ts';
import { scan } from './scan.service.ts';

export function scanRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/scan',
    summary: 'Resolve what a scanner read (printed card QR, the app’s rotating QR or a typed card number) to the member at the till',
    description:
      'Accepts the printed card’s signed code (`K1.…`), the member app’s rotating code (`K2.<card number>.<8 digits>`, valid about a minute; once a newer step was seen, older ones no longer scan) and a 16-digit card number typed by hand. Rate-limited per IP and per store (or per API key or staff member without a store); typed numbers have a stricter limit (30 per 10 minutes).',
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
      404: { description: 'Unknown, forged, stale, replayed, blocked or replaced code (indistinguishable)' },
      429: { description: 'Too many scans from this IP or till; see Retry-After' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const till = tillOf(principal);
      await consume(deps.limits.scanByIp, ctx.ip);
      await consume(deps.limits.scanByTill, till);
      if (scannedKind(body.code) === 'typed') {
        await consume(deps.limits.typedScanByIp, ctx.ip);
        await consume(deps.limits.typedScanByTill, till);
      }
      return { status: 200, body: await scan(db, principal, deps.config, body) };
    },
  });
}
