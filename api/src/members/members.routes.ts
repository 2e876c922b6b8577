import { z } from 'zod';
import { cardBrand } from '../branding/branding.service.ts';
import { renderCardPdf } from '../cards/card-pdf.ts';
import { cardOfMember } from '../cards/cards.service.ts';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { MemberSchema } from './members.mapper.ts';
import { checkCode } from '../member-auth/otp-codes.ts';
import { createMember, getMember, requirePhone, searchMembers, sendEnrolmentCode } from './members.service.ts';

const MemberPage = page(MemberSchema, 'MemberPage');

export function memberRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/members',
    summary: 'Enrol a member; the phone is normalised to E.164 and must be new in the retailer',
    description:
      'Source `in_store` (or `referral` with a `referralCode`). With `phoneCode` — the code `POST /api/v1/members/phone-codes` sent to the phone — the phone counts as proven: the welcome bonus is given and a referral can be rewarded. Without it, both wait until the member proves the phone (signing in to the member app).',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    body: z.object({
      name: z.string().trim().min(1).max(100),
      phone: z.string().trim().min(6).max(30).meta({ example: '0812 3456 7890' }),
      email: z.email().max(200).optional(),
      birthDate: z.iso.date().optional(),
      marketingOptIn: z.boolean().optional(),
      referralCode: z.string().max(40).optional(),
      phoneCode: z.string().regex(/^\d{6}$/, 'Six digits').optional(),
    }),
    responses: { 201: { description: 'Created', schema: MemberSchema }, 401: { description: 'Wrong, expired or used-up phoneCode' }, 409: { description: 'Phone already registered' }, 429: { description: 'Too many wrong phone codes from this IP or for this phone; see Retry-After' } },
    handler: async ({ db, deps, principal, body }, ctx) => {
      const { phoneCode, ...input } = body;
      const phoneCodeId = phoneCode ? await checkCode(db, deps, principal.tenantId, requirePhone(input.phone), phoneCode, ctx.ip) : undefined;
      return { status: 201, body: await createMember(db, principal, { ...input, phoneCodeId }, deps.config.secretKey) };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/phone-codes',
    summary: 'Send a one-time code to a customer’s phone, to enrol them with a proven phone',
    description: 'For `phoneCode` of `POST /api/v1/members`. A phone that is already a member is 409 `phone_taken`.',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    body: z.object({ phone: z.string().trim().min(6).max(30) }),
    responses: { 202: { description: 'Sent', schema: z.object({ expiresInSeconds: z.number().int() }) }, 409: { description: 'Phone already registered' }, 429: { description: 'Too many codes for this phone, from this IP or for this retailer; see Retry-After' } },
    handler: async ({ db, deps, principal, body }, ctx) => ({ status: 202, body: await sendEnrolmentCode(db, deps, principal, body.phone, ctx.ip) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members',
    summary: 'Search members by name, phone, email or card number',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    query: CursorQuery.extend({ query: z.string().max(100).optional() }),
    responses: { 200: { description: 'A page of members, newest first', schema: MemberPage } },
    handler: async ({ db, principal, query }) => ({ status: 200, body: await searchMembers(db, principal, query.query, query.cursor) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}',
    summary: 'A member with tier, balances and card number',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    params: IdParams,
    responses: { 200: { description: 'The member', schema: MemberSchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await getMember(db, principal.tenantId, params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/card.pdf',
    summary: 'A printable CR80 card with the member’s signed QR',
    description:
      'Owners, admins and admin API keys (permission `cards.manage`): the printed code lets a till obtain a `scanToken` that spends for the member, so only roles that may spend without the member present may print it.',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: IdParams,
    responses: { 200: { description: 'PDF', schema: z.string().meta({ format: 'binary' }), contentType: 'application/pdf' } },
    handler: async ({ db, deps, principal, params }) => {
      const member = await getMember(db, principal.tenantId, params.id);
      const card = await cardOfMember(db, deps.config.secretKey, principal.tenantId, member.id);
      const tenant = await getTenant(db, principal.tenantId);
      const brand = await cardBrand(db, principal.tenantId);
      const pdf = await renderCardPdf({ retailer: tenant.name, name: member.name, cardNumber: card.cardNumber, code: card.code, ...brand });
      return {
        status: 200,
        body: pdf,
        headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="kartu-${card.cardNumber}.pdf"` },
      };
    },
  });
}
