import { z } from 'zod';
import { clearSessionCookie, setSessionCookie, STAFF_COOKIE } from '../http/authenticate.ts';
import { assertUnder, consume } from '../http/rate-limits.ts';
import type { Routes } from '../http/route.ts';
import { DomainError } from '../shared/errors.ts';
import { changeOwnPassword, getStaff } from '../staff/staff.service.ts';
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
    responses: { 200: { description: 'Signed in', schema: z.object({ staff: StaffRef }) }, 429: { description: 'Too many sign-in attempts from this IP or for this email; see Retry-After' } },
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
      await closeSession(deps.db, ctx.cookies.get(STAFF_COOKIE), 'staff');
      clearSessionCookie(ctx, STAFF_COOKIE);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/auth/password',
    summary: 'Change one’s own password',
    description:
      'Needs the current password (or the temporary one an owner or admin gave). Clears `mustChangePassword`; the other sessions of this staff member end, this one stays. ' +
      'Rate-limited per staff member: 5 wrong current passwords per 15 minutes, 20 attempts per hour (429 with `Retry-After`).',
    tags: ['Platform'],
    auth: { principals: ['staff'] },
    allowTemporaryPassword: true,
    body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(10).max(200) }),
    responses: { 204: { description: 'Changed' }, 429: { description: 'Too many attempts or wrong current passwords; see Retry-After' } },
    handler: async ({ db, principal, body, deps }) => {
      const key = `${principal.tenantId}:${principal.id}`;
      await assertUnder(deps.limits.passwordChangeFailures, key);
      await consume(deps.limits.passwordChangeAttempts, key);
      await changeOwnPassword(db, principal, body).catch(async (error) => {
        const wrongPassword = error instanceof DomainError && error.fieldErrors.some((e) => e.path === 'body.currentPassword');
        if (wrongPassword) await consume(deps.limits.passwordChangeFailures, key).catch(() => undefined);
        throw error;
      });
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/auth/me',
    summary: 'The signed-in staff member and their retailer',
    description: 'Answers a session signed in with a temporary password too (`mustChangePassword: true`); every other call then answers 403 `password-change-required` until the password is changed.',
    tags: ['Platform'],
    auth: { principals: ['staff'] },
    allowTemporaryPassword: true,
    responses: {
      200: {
        description: 'Who is signed in',
        schema: z.object({
          staff: StaffRef.extend({
            email: z.string(),
            storeId: z.uuid().nullable(),
            mustChangePassword: z.boolean().meta({ description: 'Signed in with a temporary password: choose a new one (`POST /api/v1/auth/password`)' }),
          }),
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
          staff: {
            id: staff.id, name: staff.name, role: staff.role, tenantId: staff.tenant_id, email: staff.email, storeId: staff.store_id,
            mustChangePassword: staff.must_change_password,
          },
          tenant: {
            id: tenant.id, slug: tenant.slug, name: tenant.name, currency: tenant.currency, timeZone: tenant.time_zone, locale: tenant.locale,
            pointValue: tenant.point_value, demo: deps.config.demo,
          },
        },
      };
    },
  });
}
