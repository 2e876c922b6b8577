import type { Context } from 'koa';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { MEMBER_COOKIE, setSessionCookie } from '../http/authenticate.ts';
import type { Routes } from '../http/route.ts';
import { MemberSchema } from '../members/members.mapper.ts';
import { getMember } from '../members/members.service.ts';
import { CampaignTag, SignupFormSchema } from './signup-form.ts';
import { publicSignupForm, signUp, signupPoster, signupSettings, updateSignupSettings } from './signup.service.ts';

const Bilingual = z.object({ id: z.string(), en: z.string() });
const Points = z.number().int('Whole points').min(0, 'Must not be negative').max(1_000_000, 'At most 1,000,000');

const SignupSettingsSchema = z
  .object({
    welcomeBonusPoints: z.number().int().meta({ description: 'Points every new member gets on joining, once per phone number ever (0: none)' }),
    form: SignupFormSchema,
    joinPath: z.string().meta({ description: 'The public sign-up page; add `?tag=…` for a campaign or `?ref=…` for a referral' }),
    joinUrl: z.string().meta({ description: 'The page’s full address as members reach it: `KARTU_PUBLIC_URL` (else the address of this request) + joinPath; the poster’s QR carries it' }),
  })
  .meta({ id: 'SignupSettings' });

const PublicSignupFormSchema = z
  .object({
    retailer: z.string(),
    headline: Bilingual,
    intro: Bilingual,
    consentText: Bilingual,
    askEmail: z.boolean(),
    askBirthDate: z.boolean(),
    welcomeBonusPoints: z.number().int(),
    refereePoints: z.number().int().meta({ description: 'With a valid `ref`: the points the new member gets after the first purchase' }),
    referrerName: z.string().nullable().meta({ description: 'With a valid `ref`: the first name of the member who shared the link' }),
    referralMinSpend: z.number().int().meta({ description: 'With a valid `ref`: the first purchase must reach this (minor units) for the referral points' }),
  })
  .meta({ id: 'PublicSignupForm' });

/** Where members reach the server: KARTU_PUBLIC_URL, else the address this (staff) request came to. */
const publicOrigin = (deps: AppDeps, ctx: Context) => deps.config.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
const withJoinUrl = <T extends { joinPath: string }>(settings: T, origin: string) => ({ ...settings, joinUrl: `${origin}${settings.joinPath}` });

export function signupRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/signup',
    summary: 'The public sign-up form, the poster’s texts and the welcome bonus',
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Settings', schema: SignupSettingsSchema } },
    handler: async ({ db, deps, principal }, ctx) => ({ status: 200, body: withJoinUrl(await signupSettings(db, principal), publicOrigin(deps, ctx)) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/signup',
    summary: 'Change the sign-up form, the poster’s texts or the welcome bonus (audit-logged)',
    description: 'Each text is given in both languages; an empty text goes back to the default built from the retailer’s name.',
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: z.strictObject({ welcomeBonusPoints: Points.optional(), form: SignupFormSchema.partial().optional() }),
    responses: { 200: { description: 'Settings', schema: SignupSettingsSchema } },
    handler: async ({ db, deps, principal, body }, ctx) => ({ status: 200, body: withJoinUrl(await updateSignupSettings(db, principal, body), publicOrigin(deps, ctx)) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/settings/signup/poster.pdf',
    summary: 'A printable shop-window poster (A4 or A5) with a QR to the sign-up page',
    description: 'The QR carries `KARTU_PUBLIC_URL` (or, without it, the address this request came to) + `/app/{slug}/join`, with `?tag=` when a campaign tag is given.',
    tags: ['Acquire'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    query: z.object({ size: z.enum(['A4', 'A5']).default('A4'), lang: z.enum(['id', 'en']).default('id'), tag: CampaignTag.optional() }),
    responses: { 200: { description: 'PDF', schema: z.string().meta({ format: 'binary' }), contentType: 'application/pdf' } },
    handler: async ({ db, deps, principal, query }, ctx) => ({
      status: 200,
      body: await signupPoster(db, principal, { ...query, origin: publicOrigin(deps, ctx) }),
      headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="poster-${query.size}.pdf"` },
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}/signup-form',
    summary: 'The retailer’s public sign-up form',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40) }),
    query: z.object({ ref: z.string().max(40).optional().meta({ description: 'A referral code from a shared link' }) }),
    responses: { 200: { description: 'The form', schema: PublicSignupFormSchema } },
    handler: async ({ db, params, query }) => ({ status: 200, body: await publicSignupForm(db, params.slug, query.ref) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/member-auth/signup',
    summary: 'Join as a member with a one-time code (ask for one with intent `sign_up`); signs the member in',
    description:
      'Creates a prospect: source `referral` with a valid `referralCode`, `campaign` with a `tag`, otherwise `web_form`. A phone that is already a member signs that member in (200, `created: false`). A wrong or unknown referral code is a 400 on `body.referralCode`, and the code stays usable.',
    tags: ['Member app'],
    auth: 'public',
    body: z.object({
      slug: z.string().min(2).max(40),
      phone: z.string().trim().min(6).max(30),
      code: z.string().regex(/^\d{6}$/, 'Six digits'),
      name: z.string().trim().min(1, 'Required').max(100),
      email: z.email().max(200).optional(),
      birthDate: z.iso.date().optional(),
      marketingOptIn: z.boolean().optional(),
      referralCode: z.string().trim().min(1).max(40).optional(),
      tag: CampaignTag.optional(),
    }),
    responses: {
      200: { description: 'Already a member: signed in', schema: z.object({ created: z.boolean(), member: MemberSchema }) },
      201: { description: 'Joined and signed in', schema: z.object({ created: z.boolean(), member: MemberSchema }) },
      401: { description: 'Wrong, expired or used-up code' },
      429: { description: 'Too many wrong codes from this IP or for this phone; see Retry-After' },
    },
    handler: async ({ deps, body }, ctx) => {
      const result = await signUp(deps, body, ctx.ip);
      setSessionCookie(ctx, deps, MEMBER_COOKIE, result.session.token, result.session.expiresAt);
      return { status: result.created ? 201 : 200, body: { created: result.created, member: await getMember(deps.db, result.tenantId, result.memberId) } };
    },
  });
}
