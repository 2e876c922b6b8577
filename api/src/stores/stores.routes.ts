import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { IdParams } from '../http/schemas.ts';
import { createStore, listStores, updateStore } from './stores.service.ts';

const StoreSchema = z
  .object({
    id: z.uuid(), code: z.string(), name: z.string(), region: z.string().nullable(), timeZone: z.string(),
    active: z.boolean().meta({ description: 'An inactive store takes no new sales, scans, checkouts, redemptions or presence codes (409 `store_inactive`); its history and refunds of its sales stay' }),
  })
  .meta({ id: 'Store' });

const toStore = (s: { id: string; code: string; name: string; region: string | null; time_zone: string; active: boolean }) => ({
  id: s.id, code: s.code, name: s.name, region: s.region, timeZone: s.time_zone, active: s.active,
});

const TimeZone = z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).meta({ description: 'WIB (Asia/Jakarta), WITA (Asia/Makassar) or WIT (Asia/Jayapura)' });

export function storeRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/stores',
    summary: 'Create a store; campaign hours use its time zone',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'stores.manage' },
    body: z.object({
      code: z.string().trim().min(1).max(20).regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, - and _'),
      name: z.string().trim().min(1).max(100),
      region: z.string().trim().max(100).optional(),
      timeZone: TimeZone.optional(),
    }),
    responses: { 201: { description: 'Created', schema: StoreSchema } },
    handler: async ({ db, principal, body }) => ({ status: 201, body: toStore(await createStore(db, principal, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/stores',
    summary: 'List the stores, inactive ones included',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'stores.read' },
    query: z.object({
      active: z.enum(['true', 'false']).optional().meta({ description: 'Only active (true, for pickers) or inactive (false) stores' }),
    }),
    responses: { 200: { description: 'Stores', schema: z.object({ items: z.array(StoreSchema) }) } },
    handler: async ({ db, principal, query }) => ({
      status: 200,
      body: { items: (await listStores(db, principal, { active: query.active === undefined ? undefined : query.active === 'true' })).map(toStore) },
    }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/stores/{id}',
    summary: 'Change a store’s name, region or time zone (the code stays), or deactivate it',
    description: 'The code cannot change: receipts, API keys and integrations know the store by it. `region: null` (or an empty string) clears the region. `active: false` deactivates the store (not the last active one: 409 `last_active_store`), `active: true` activates it again. Audit-logged.',
    tags: ['Platform'],
    auth: { principals: ['staff', 'api_key'], permission: 'stores.manage' },
    params: IdParams,
    body: z.object({
      name: z.string().trim().min(1).max(100).optional(),
      region: z.string().trim().max(100).nullable().optional(),
      timeZone: TimeZone.optional(),
      active: z.boolean().optional(),
    }),
    responses: { 200: { description: 'Changed', schema: StoreSchema } },
    handler: async ({ db, principal, params, body }) => ({ status: 200, body: toStore(await updateStore(db, principal, params.id, body)) }),
  });
}
