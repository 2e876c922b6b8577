import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { MemberSchema } from './members.mapper.ts';
import { confirmPhoneChange, mergeMembers, requestPhoneChange, updateMember } from './member-records.service.ts';

const Tag = z.string().trim().regex(/^[\p{L}\p{N} _-]{1,40}$/u, 'Letters, digits, spaces, hyphens and underscores, up to 40');

const MemberPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().max(200).nullable().optional(),
  birthDate: z.iso.date().nullable().optional(),
  marketingOptIn: z.boolean().optional().meta({ description: 'Consent to marketing messages' }),
  tags: z.array(Tag).max(50, 'At most 50 tags').optional().meta({ description: 'Replaces the member’s tags; segments can select by them' }),
});

const PhoneBody = z.object({ phone: z.string().trim().min(6).max(30).meta({ example: '0813 9876 5432' }) });
const ConfirmBody = PhoneBody.extend({ code: z.string().regex(/^\d{6}$/, 'Six digits') });
const CodeSent = z.object({ expiresInSeconds: z.number().int() });

const PHONE_CHANGE = 'The new number gets a one-time code; the change happens only with that code (`…/phone-change/verify`). The old number is kept only as a keyed hash (referral checks). A number that belongs to another member is 409 `phone_taken`.';

export function memberRecordRoutes(routes: Routes) {
  routes.add({
    method: 'patch',
    path: '/api/v1/members/{id}',
    summary: 'Change a member’s name, email, birth date, marketing consent or tags (audit-logged)',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    params: IdParams,
    body: MemberPatchSchema,
    responses: { 200: { description: 'The member', schema: MemberSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: await updateMember(db, principal, params.id, body) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/me',
    summary: 'The member changes their own name, email, birth date or marketing consent',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: MemberPatchSchema.omit({ tags: true }),
    responses: { 200: { description: 'The member', schema: MemberSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await updateMember(db, principal, principal.id, body) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/phone-change',
    summary: 'Start changing a member’s phone number: sends a one-time code to the new number',
    description: PHONE_CHANGE,
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    params: IdParams,
    body: PhoneBody,
    responses: { 202: { description: 'Code sent', schema: CodeSent }, 429: { description: 'Too many codes for this phone or from this IP; see Retry-After' } },
    handler: async ({ db, deps, principal, params, body }, ctx) => ({ status: 202, body: await requestPhoneChange(db, deps, principal, params.id, body, ctx.ip) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/phone-change/verify',
    summary: 'Finish a phone change with the code the new number received (audit-logged)',
    description: PHONE_CHANGE,
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.write' },
    params: IdParams,
    body: ConfirmBody,
    responses: { 200: { description: 'The member with the new number', schema: MemberSchema }, 401: { description: 'Wrong, expired or used-up code' }, 429: { description: 'Too many wrong codes from this IP or for this phone; see Retry-After' } },
    handler: async ({ db, deps, principal, params, body }, ctx) => ({ status: 200, body: await confirmPhoneChange(db, deps, principal, params.id, body, ctx.ip) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/me/phone-change',
    summary: 'The member starts changing their phone number: a code goes to the new number',
    description: PHONE_CHANGE,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: PhoneBody,
    responses: { 202: { description: 'Code sent', schema: CodeSent }, 429: { description: 'Too many codes for this phone or from this IP; see Retry-After' } },
    handler: async ({ db, deps, principal, body }, ctx) => ({ status: 202, body: await requestPhoneChange(db, deps, principal, principal.id, body, ctx.ip) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/me/phone-change/verify',
    summary: 'The member finishes the phone change with the code',
    description: PHONE_CHANGE,
    tags: ['Member app'],
    auth: { principals: ['member'] },
    body: ConfirmBody,
    responses: { 200: { description: 'The member with the new number', schema: MemberSchema }, 401: { description: 'Wrong, expired or used-up code' }, 429: { description: 'Too many wrong codes from this IP or for this phone; see Retry-After' } },
    handler: async ({ db, deps, principal, body }, ctx) => ({ status: 200, body: await confirmPhoneChange(db, deps, principal, principal.id, body, ctx.ip) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/members/{id}/merge',
    summary: 'Merge a duplicate member into this one (owners, admins, admin keys; audit-logged)',
    description:
      'Moves the duplicate’s balance, pending points and debt with their lots and expiry dates (as `adjust` entries on both members, reference `merge:{mergeId}`), sales, vouchers and their uses, reward redemptions, referrals made, feedback threads and cards. The duplicate’s current card is retired (`replaced`, reason `merged`): this member keeps one current card. The duplicate becomes `status: "merged"` with `mergedInto`, signs out, and its phone number is freed. The tier is reviewed against the moved sales.',
    tags: ['Members'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.merge' },
    params: IdParams,
    body: z.object({ duplicateId: z.uuid() }),
    idempotency: 'optional',
    responses: {
      200: {
        description: 'Merged',
        schema: z.object({
          mergeId: z.uuid(),
          moved: z.object({
            points: z.object({ balance: z.number().int(), pending: z.number().int(), debt: z.number().int() }),
            cards: z.number().int(), transactions: z.number().int(), vouchers: z.number().int(), voucherRedemptions: z.number().int(),
            rewardRedemptions: z.number().int(), referralsMade: z.number().int(), feedbackThreads: z.number().int(),
          }),
          member: MemberSchema,
        }),
      },
    },
    handler: async ({ db, deps, principal, params, body }) => ({ status: 200, body: await mergeMembers(db, principal, params.id, body.duplicateId, deps.config.secretKey) }),
  });
}
