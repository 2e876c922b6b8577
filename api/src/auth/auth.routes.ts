import { z } from 'zod';
import { clearSessionCookie, setSessionCookie, STAFF_COOKIE } from '../http/authenticate.ts';
import { assertUnder, consume } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { getStaff } from '../staff/staff.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { closeSession, signInStaff } from './auth.service.ts';

const StaffRef = z.object({ id: z.uuid(), name: z.string(), role: z.enum(['owner', 'admin', 'marketer', 'cashier']), tenantId: z.uuid() });

export function authRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Staff sign-in; sets an httpOnly session cookie',
    tags: ['Platform'],
    auth: 'public',
    body: z.object({ email: z.email().max(200), password: z.string().min(1).max(200) }),
    responses: { 200: { description: 'Signed in', schema: z.object({ staff: StaffRef }) } },
    handler: async ({ body, deps }, ctx) => {
      // Failed sign-ins count, per IP and per IP and email, so nobody can lock an owner out from elsewhere.
      const emailKey = `${ctx.ip}|${body.email.toLowerCase()}`;
      await assertUnder(deps.limits.loginByIp, ctx.ip);
      await assertUnder(deps.limits.loginByEmail, emailKey);
      const signedIn = await signInStaff(deps.db, body.email, body.password).catch(async (error) => {
        await consume(deps.limits.loginByIp, ctx.ip).catch(() => undefined);
        await consume(deps.limits.loginByEmail, emailKey).catch(() => undefined);
        throw error;
      });
      const { staff, token, expiresAt } = signedIn;
      setSessionCookie(ctx, deps, STAFF_COOKIE, token, expiresAt);
      return { status: 200, body: { staff: { id: staff.id, name: staff.name, role: staff.role, tenantId: staff.tenant_id } } };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'Staff sign-out',
    tags: ['Platform'],
    auth: 'public',
    responses: { 204: { description: 'Signed out' } },
    handler: async ({ deps }, ctx) => {
      await closeSession(deps.db, ctx.cookies.get(STAFF_COOKIE));
      clearSessionCookie(ctx, STAFF_COOKIE);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/auth/me',
    summary: 'The signed-in staff member and their retailer',
    tags: ['Platform'],
    auth: { principals: ['staff'] },
    responses: {
      200: {
        description: 'Who is signed in',
        schema: z.object({
          staff: StaffRef.extend({ email: z.string(), storeId: z.uuid().nullable() }),
          tenant: z.object({
            id: z.uuid(), slug: z.string(), name: z.string(), currency: z.string(), timeZone: z.string(), locale: z.enum(['id', 'en']),
            pointValue: z.number().int(), demo: z.boolean(),
          }),
        }),
      },
    },
    handler: async ({ principal, db, deps }) => {
      const [staff, tenant] = await Promise.all([getStaff(db, principal), getTenant(db, principal.tenantId)]);
      return {
        status: 200,
        body: {
          staff: { id: staff.id, name: staff.name, role: staff.role, tenantId: staff.tenant_id, email: staff.email, storeId: staff.store_id },
          tenant: {
            id: tenant.id, slug: tenant.slug, name: tenant.name, currency: tenant.currency, timeZone: tenant.time_zone, locale: tenant.locale,
            pointValue: tenant.point_value, demo: deps.config.demo,
          },
        },
      };
    },
  });
}
