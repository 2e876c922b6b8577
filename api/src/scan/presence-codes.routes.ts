import { z } from 'zod';
import { problemOf } from '../http/problem.ts';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { DomainError } from '../shared/errors.ts';
import { sendPresenceCode, verifyPresenceCode } from './presence-codes.service.ts';

const StoreId = z.uuid().optional().meta({ description: 'The store of the till; a store-bound key or cashier may omit it, and may not name another' });

export function presenceCodeRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/presence-codes',
    summary: 'Text the member a one-time code that shows they are at the till (when the card cannot be scanned)',
    description:
      'For a member whose card cannot be scanned and who has no app at hand: sends a 6-digit code by SMS to the member’s phone, valid 5 minutes for this member at this store. The member reads it out and the till sends it to `POST /api/v1/members/{id}/presence-codes/verify` for a scan token that may spend. A new code replaces the member’s older one. Rate-limited to 3 codes per member per 10 minutes and 30 per till (store, or the API key or staff member without a store). In demo mode the code is also printed on the server console.',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'scan' },
    params: IdParams,
    body: z.object({ storeId: StoreId }),
    responses: {
      202: {
        description: 'The code is queued for the member’s phone',
        schema: z
          .object({
            expiresInSeconds: z.number().int(),
            sentTo: z.string().meta({ description: 'The member’s phone, masked (e.g. "+62 812-****-7890"), to check with the member' }),
          })
          .meta({ id: 'PresenceCodeSent' }),
      },
      404: { description: 'No such member, or the member is blocked' },
      429: { description: 'Too many codes for this member or from this till; see Retry-After' },
    },
    handler: async ({ db, deps, principal, params, body }) => ({
      status: 202,
      body: await sendPresenceCode(db, principal, deps, params.id, body),
    }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/presence-codes/verify',
    summary: 'Check the member’s one-time code; gives a scan token that may spend, like a scanned card',
    description:
      'The code is good once, for 5 minutes, for this member at the store it was sent for, with 5 tries; wrong codes are also limited per member per day. A right code answers a `scanToken` good for 5 minutes at this store with `canSpend: true`, and is audit-logged (`presence_code.verified`).',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'scan' },
    params: IdParams,
    body: z.object({ code: z.string().regex(/^\d{6}$/, 'Six digits'), storeId: StoreId }),
    responses: {
      200: {
        description: 'The member is present: a scan token that may spend',
        schema: z
          .object({
            scanToken: z.string().meta({ description: 'As from a scanned card: lets a cashier or POS key spend for 5 minutes at this store' }),
            canSpend: z.literal(true),
          })
          .meta({ id: 'PresenceVerified' }),
      },
      404: { description: 'No such member, or the member is blocked' },
      409: { description: '`invalid_presence_code`: wrong (`triesLeft` > 0), expired, used, sent for another store or out of tries (`triesLeft` 0)' },
      429: { description: 'Too many wrong codes for this member today; see Retry-After' },
    },
    handler: async ({ db, deps, principal, params, body }) => {
      try {
        return { status: 200, body: await verifyPresenceCode(db, principal, deps, params.id, body) };
      } catch (error) {
        // Answered rather than thrown, so that under an Idempotency-Key the spent try is committed
        // with the stored answer instead of rolled back: a new key must not buy a new try.
        if (error instanceof DomainError && error.code === 'invalid_presence_code') {
          const problem = problemOf(error);
          return { status: problem.status, body: problem };
        }
        throw error;
      }
    },
  });
}
