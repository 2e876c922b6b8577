import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { createStaff, listStaff } from './staff.service.ts';

const StaffSchema = z
  .object({
    id: z.uuid(), email: z.string(), name: z.string(), role: z.enum(['owner', 'admin', 'marketer', 'cashier']),
    storeId: z.uuid().nullable(), active: z.boolean(),
  })
  .meta({ id: 'Staff' });

const toStaff = (s: { id: string; email: string; name: string; role: 'owner' | 'admin' | 'marketer' | 'cashier'; store_id: string | null; active: boolean }) => ({
  id: s.id, email: s.email, name: s.name, role: s.role, storeId: s.store_id, active: s.active,
});

export function staffRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/staff',
    summary: 'Add a staff member (owner/admin)',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    body: z.object({
      email: z.email().max(200),
      name: z.string().trim().min(1).max(100),
      role: z.enum(['owner', 'admin', 'marketer', 'cashier']),
      password: z.string().min(10).max(200),
      storeId: z.uuid().optional(),
    }),
    responses: { 201: { description: 'Created', schema: StaffSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: toStaff(await createStaff(db, principal, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/staff',
    summary: 'List staff (owner/admin)',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'staff.manage' },
    responses: { 200: { description: 'Staff', schema: z.object({ items: z.array(StaffSchema) }) } },
    handler: async ({ db, principal }) => ({ status: 200, body: { items: (await listStaff(db, principal)).map(toStaff) } }),
  });
}
