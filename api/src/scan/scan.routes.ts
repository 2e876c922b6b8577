import { z } from 'zod';
import { assertUnder, consume, tillOf } from '../http/rate-limits.ts';
import { DomainError } from '../shared/errors.ts';
import type { Routes } from '../http/route.ts';
import { scannedKind } from '../cards/cards.service.ts';
import { TierRef } from '../members/members.mapper.ts';
import { ShownOfferSchema } from '../offers/offers.mapper.ts';
import { MemberVoucherSchema } from '../rewards/rewards.mapper.ts';
import { scan } from './scan.service.ts';

export function scanRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/scan',
    summary: 'Resolve what a scanner read (printed card QR, the app’s rotating QR or a typed card number) to the member at the till',
    description:
      'Accepts the printed card’s signed code (`K1.…`), the member app’s rotating code (`K2.<card number>.<8 digits>`, valid about a minute; once a newer step was seen, older ones no longer scan) and a 16-digit card number typed by hand. Rate-limited per IP and per store (or per API key or staff member without a store); typed numbers have a stricter limit (30 per 10 minutes) and give a token that cannot spend (`canSpend: false`); app codes that do not scan are limited the same way (30 misses per 10 minutes per IP and per till).',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'scan' },
    body: z.object({ code: z.string().trim().min(1).max(200), storeId: z.uuid().optional() }),
    responses: {
      200: {
        description: 'The member, balances and a scanToken, good for 5 minutes at this store',
        schema: z
          .object({
            member: z.object({ id: z.uuid(), name: z.string(), tier: TierRef }),
            points: z.object({ balance: z.number().int(), pending: z.number().int() }),
            vouchers: z.array(MemberVoucherSchema).meta({ description: 'The member’s vouchers that can be used now (at most 20, expiring soonest first)' }),
            offers: z.array(ShownOfferSchema).meta({ description: 'Up-sell and cross-sell offers to suggest (at most 3), from what the member bought in the last 90 days; recorded as shown at the till' }),
            scanToken: z.string().meta({ description: 'Proves the scan for 5 minutes at this store. From a QR it lets a cashier or POS key spend the member’s points and vouchers; from a typed card number it does not (see canSpend).' }),
            canSpend: z.boolean().meta({
              description: 'False after a typed card number: the number is printed on the card and shown to staff, so it identifies the member but cannot spend. To spend, scan the card or the app’s QR, or send the member a one-time code: POST /api/v1/members/{id}/presence-codes (an owner or admin may act without, audit-logged).',
            }),
          })
          .meta({ id: 'ScanResult' }),
      },
      404: { description: 'Unknown, forged, stale, replayed, blocked or replaced code (indistinguishable)' },
      429: { description: 'Too many scans from this IP or till; see Retry-After' },
    },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const till = tillOf(principal);
      const { limits } = deps;
      await consume(limits.scanByIp, ctx.ip);
      await consume(limits.scanByTill, till);
      const kind = scannedKind(body.code);
      if (kind === 'typed') {
        await consume(limits.typedScanByIp, ctx.ip);
        await consume(limits.typedScanByTill, till);
      }
      if (kind !== 'rotating') return { status: 200, body: await scan(db, principal, deps.config, body) };
      await assertUnder(limits.rotatingMissesByIp, ctx.ip);
      await assertUnder(limits.rotatingMissesByTill, till);
      try {
        return { status: 200, body: await scan(db, principal, deps.config, body) };
      } catch (error) {
        if (error instanceof DomainError && error.code === 'not_found') {
          await consume(limits.rotatingMissesByIp, ctx.ip).catch(() => undefined);
          await consume(limits.rotatingMissesByTill, till).catch(() => undefined);
        }
        throw error;
      }
    },
  });
}
