import { z } from 'zod';
import { setSessionCookie, STAFF_COOKIE } from '../http/authenticate.ts';
import type { Routes } from '../http/route.ts';
import { PublicBrandSchema, toPublicBrand } from '../branding/branding.mapper.ts';
import { getPublicTenant, signUpRetailer } from './tenants.service.ts';

const PublicTenant = z
  .object({ slug: z.string(), name: z.string(), currency: z.string(), timeZone: z.string(), locale: z.enum(['id', 'en']), brand: PublicBrandSchema })
  .meta({ id: 'PublicTenant' });

type TenantRow = Awaited<ReturnType<typeof getPublicTenant>>;

const toPublic = (t: TenantRow) => ({
  slug: t.slug, name: t.name, currency: t.currency, timeZone: t.time_zone, locale: t.locale, brand: toPublicBrand(t),
});

export function tenantRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/signup',
    summary: 'Sign up a retailer and its owner (demo mode, first retailer, or KARTU_SIGNUP=on)',
    tags: ['Platform'],
    auth: 'public',
    body: z.object({
      retailerName: z.string().trim().min(2).max(100),
      email: z.email().max(200),
      password: z.string().min(10).max(200),
      slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'Lower-case letters, digits and hyphens, 2–40 characters').optional(),
      currency: z.enum(['IDR']).default('IDR'),
      timeZone: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).default('Asia/Jakarta'),
      locale: z.enum(['id', 'en']).default('id'),
    }),
    responses: { 201: { description: 'Created; the owner is signed in', schema: z.object({ tenantId: z.uuid(), slug: z.string(), ownerId: z.uuid() }) } },
    handler: async ({ body, db, deps }, ctx) => {
      const result = await signUpRetailer(db, deps.config, body);
      setSessionCookie(ctx, deps, STAFF_COOKIE, result.session.token, result.session.expiresAt);
      return { status: 201, body: { tenantId: result.tenantId, slug: result.slug, ownerId: result.ownerId } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/default',
    summary: 'The retailer plain /app opens: the demo retailer, or the only one',
    tags: ['Member app'],
    auth: 'public',
    responses: { 200: { description: 'The retailer', schema: PublicTenant } },
    handler: async ({ db }) => ({ status: 200, body: toPublic(await getPublicTenant(db, 'default')) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}',
    summary: 'A retailer’s public profile, for the member app',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40) }),
    responses: { 200: { description: 'The retailer', schema: PublicTenant } },
    handler: async ({ db, params }) => ({ status: 200, body: toPublic(await getPublicTenant(db, params.slug)) }),
  });
}
