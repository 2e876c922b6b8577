import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { createStaff, endSessions, listStaff, resetPassword, updateStaff } from './staff.service.ts';

const Role = z.enum(['owner', 'admin', 'marketer', 'cashier']);

const StaffSchema = z
  .object({
    id: z.uuid(), email: z.string(), name: z.string(), role: Role,
    storeId: z.uuid().nullable(), active: z.boolean(),
    mustChangePassword: z.boolean().meta({ description: 'Holds a temporary password and is asked for a new one at the next sign-in' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Staff' });

type StaffRow = {
  id: string; email: string; name: string; role: z.infer<typeof Role>; store_id: string | null; active: boolean; must_change_password: boolean; created_at: Date;
};

const toStaff = (s: StaffRow) => ({
  id: s.id, email: s.email, name: s.name, role: s.role, storeId: s.store_id, active: s.active,
  mustChangePassword: s.must_change_password, createdAt: s.created_at.toISOString(),
});

const TemporaryPassword = z.string().meta({ description: 'Shown once: hand it to the staff member, who must choose their own password at the next sign-in' });

const WHO_MANAGES = `Owners and admins (permission \`staff.manage\`). Only an owner adds, changes, resets or signs out an owner; the last active owner cannot be demoted or deactivated (409 \`last_owner\`); nobody deactivates themselves. Every change is audit-logged.`;

export function staffRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/staff',
    summary: 'Add or invite a staff member (owner/admin)',
    description: `With \`password\`, the staff member signs in with it. Without it, this is an invitation: the answer carries a \`temporaryPassword\`, shown once, and the staff member must choose their own password at the first sign-in. ${WHO_MANAGES}`,
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    secretInResponse: true,
    body: z.object({
      email: z.email().max(200),
      name: z.string().trim().min(1).max(100),
      role: Role,
      password: z.string().min(10).max(200).optional(),
      storeId: z.uuid().optional(),
    }),
    responses: { 201: { description: 'Created', schema: StaffSchema.extend({ temporaryPassword: TemporaryPassword.optional() }) } },
    handler: async ({ db, principal, body }) => {
      const { staff, temporaryPassword } = await createStaff(db, principal, body);
      return { status: 201, body: { ...toStaff(staff), ...(temporaryPassword ? { temporaryPassword } : {}) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/staff',
    summary: 'List staff (owner/admin), oldest first',
    description: '`query` matches part of the name or the email, ignoring case.',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    query: CursorQuery.extend({
      query: z.string().trim().max(100).optional(),
      active: z.enum(['true', 'false']).optional().meta({ description: 'Only active (true) or deactivated (false) staff' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of staff', schema: page(StaffSchema, 'StaffPage') } },
    handler: async ({ db, principal, query }) => {
      const active = query.active === undefined ? undefined : query.active === 'true';
      const { page: rows, nextCursor } = await listStaff(db, principal, { query: query.query || undefined, active, limit: query.limit, cursor: query.cursor });
      return { status: 200, body: { items: rows.map(toStaff), nextCursor } };
    },
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/staff/{id}',
    summary: 'Change a staff member’s name, role or store, or deactivate/reactivate them',
    description: `\`storeId: null\` unbinds the staff member from a store. \`active: false\` ends all their sessions at once and they can no longer sign in; \`active: true\` lets them sign in again. ${WHO_MANAGES}`,
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    params: IdParams,
    body: z.object({
      name: z.string().trim().min(1).max(100).optional(),
      role: Role.optional(),
      storeId: z.uuid().nullable().optional(),
      active: z.boolean().optional(),
    }),
    responses: { 200: { description: 'Changed', schema: StaffSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: toStaff(await updateStaff(db, principal, params.id, body)) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/staff/{id}/password-reset',
    summary: 'Give a staff member a temporary password (owner/admin), shown once',
    description: `Replaces the password with a temporary one returned here once (there is no email to send a link to); the staff member must choose their own at the next sign-in, and their sessions end. Not for oneself: use \`POST /api/v1/auth/password\`. ${WHO_MANAGES}`,
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    secretInResponse: true,
    params: IdParams,
    responses: { 200: { description: 'The temporary password', schema: z.object({ temporaryPassword: TemporaryPassword, sessionsEnded: z.number().int() }) } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await resetPassword(db, principal, params.id) }),
  });

  routes.add({
    method: 'post',
    path: '/api/v1/staff/{id}/sessions/end',
    summary: 'Sign a staff member out everywhere (owner/admin)',
    description: `Ends all their sessions at once (a lost tablet, a shared password); they can sign in again. ${WHO_MANAGES}`,
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    params: IdParams,
    responses: { 200: { description: 'How many sessions ended', schema: z.object({ sessionsEnded: z.number().int() }) } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: await endSessions(db, principal, params.id) }),
  });
}
