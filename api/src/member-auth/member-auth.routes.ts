import { z } from 'zod';
import { clearSessionCookie, MEMBER_COOKIE, setSessionCookie } from '../http/authenticate.ts';
import type { Routes } from '../http/route.ts';
import { CursorQuery } from '../http/schemas.ts';
import { memberAppCard } from '../cards/cards.service.ts';
import { closeSession } from '../auth/auth.service.ts';
import { pointsOf } from '../ledger/ledger.service.ts';
import { PointsSchema, toPointsView } from '../ledger/points.mapper.ts';
import { MemberSchema } from '../members/members.mapper.ts';
import { getMember } from '../members/members.service.ts';
import { DomainError } from '../shared/errors.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { requestCode, verifyCode } from './otp.service.ts';

const Slug = z.string().min(2).max(40);
const Phone = z.string().trim().min(6).max(30);

export function memberAuthRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/member-auth/otp',
    summary: 'Send a 6-digit code to a phone (valid 5 minutes, 5 tries): to sign in, or to join',
    description: 'With `intent: "sign_in"` (the default) only a member’s phone gets a code; the answer is the same either way. With `intent: "sign_up"` any valid phone gets one, for `POST /api/v1/member-auth/signup`.',
    tags: ['Member app'],
    auth: 'public',
    body: z.object({ slug: Slug, phone: Phone, intent: z.enum(['sign_in', 'sign_up']).optional() }),
    responses: { 202: { description: 'Sent if the phone is a member', schema: z.object({ expiresInSeconds: z.number().int() }) }, 429: { description: 'Too many codes for this phone, from this IP or for this retailer; see Retry-After' } },
    handler: async ({ deps, body }, ctx) => ({ status: 202, body: await requestCode(deps, body, ctx.ip) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/member-auth/verify',
    summary: 'Check the code; signs the member in with a session cookie',
    tags: ['Member app'],
    auth: 'public',
    body: z.object({ slug: Slug, phone: Phone, code: z.string().regex(/^\d{6}$/, 'Six digits') }),
    responses: { 200: { description: 'Signed in', schema: z.object({ member: MemberSchema }) }, 401: { description: 'Wrong, expired or used-up code' }, 429: { description: 'Too many wrong codes from this IP or for this phone; see Retry-After' } },
    handler: async ({ deps, body }, ctx) => {
      const { tenantId, memberId, session } = await verifyCode(deps, body, ctx.ip);
      setSessionCookie(ctx, deps, MEMBER_COOKIE, session.token, session.expiresAt);
      return { status: 200, body: { member: await getMember(deps.db, tenantId, memberId) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/member-auth/logout',
    summary: 'Member sign-out',
    tags: ['Member app'],
    auth: 'public',
    responses: { 204: { description: 'Signed out' } },
    handler: async ({ deps }, ctx) => {
      await closeSession(deps.db, ctx.cookies.get(MEMBER_COOKIE), 'member');
      clearSessionCookie(ctx, MEMBER_COOKIE);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me',
    summary: 'The signed-in member',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    query: z.object({ slug: Slug.optional().meta({ description: 'The retailer the app shows: a session of another retailer answers 401' }) }),
    responses: { 200: { description: 'The member', schema: MemberSchema } },
    handler: async ({ db, principal, query }) => {
      if (query.slug && (await getTenant(db, principal.tenantId)).slug !== query.slug) {
        throw new DomainError('unauthenticated', 'Signed in at another retailer');
      }
      return { status: 200, body: await getMember(db, principal.tenantId, principal.id) };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/card',
    summary: 'The member’s card: number, printed code, and the rotating code’s secret for the app’s QR',
    description:
      'The app shows `K2.<cardNumber>.<code>` where code = rotatingCode(secret, floor((unix seconds + offset) / periodSeconds)) (HOTP with HMAC-SHA256, 31-bit dynamic truncation, `digits` decimal digits; `@kartu/api/client` rotating-code.ts), offset = serverTime − the phone’s clock. Keep the answer to show the card offline.',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: {
      200: {
        description: 'The card',
        schema: z
          .object({
            cardNumber: z.string(),
            code: z.string().meta({ description: 'The printed card’s signed code (K1)' }),
            rotating: z.object({
              secret: z.string().meta({ description: '32 bytes, base64url: the card’s rotating-code secret' }),
              periodSeconds: z.number().int(),
              digits: z.number().int(),
            }),
            serverTime: z.string().meta({ format: 'date-time', description: 'The server’s clock when it answered' }),
          })
          .meta({ id: 'MemberCard' }),
      },
    },
    handler: async ({ db, deps, principal }, ctx) => {
      ctx.set('Cache-Control', 'no-store');
      return { status: 200, body: await memberAppCard(db, deps.config.secretKey, principal.tenantId, principal.id) };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/points',
    summary: 'The member’s balances and points history',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    query: CursorQuery,
    responses: { 200: { description: 'Points', schema: PointsSchema } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: toPointsView(await pointsOf(db, principal.tenantId, principal.id, query.cursor)),
    }),
  });
}
