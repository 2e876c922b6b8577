import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { CursorQuery, IdParams, page } from '../http/schemas.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';

const Scope = z.enum(['pos', 'read', 'admin']);

const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(Scope),
    storeId: z.uuid().nullable(),
    createdBy: z.uuid(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().meta({ description: 'Recorded at most once a minute per server process' }),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey', description: 'An API key without its secret, which is shown only when it is created' });

type ApiKeyRow = {
  id: string; name: string; scopes: string[]; store_id: string | null; created_by: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null;
};

const toApiKey = (k: ApiKeyRow) => ({
  id: k.id, name: k.name, scopes: k.scopes as z.infer<typeof Scope>[], storeId: k.store_id, createdBy: k.created_by,
  createdAt: k.created_at.toISOString(), lastUsedAt: k.last_used_at?.toISOString() ?? null, revokedAt: k.revoked_at?.toISOString() ?? null,
});

export function apiKeyRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/api-keys',
    summary: 'Create an API key (owner/admin); the key is shown once',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'api_keys.manage' },
    secretInResponse: true,
    body: z.object({
      name: z.string().trim().min(1).max(100),
      scopes: z.array(Scope).min(1),
      storeId: z.uuid().optional(),
    }),
    responses: {
      201: { description: 'Created; send it as `Authorization: Bearer <key>`', schema: z.object({ id: z.uuid(), key: z.string() }) },
    },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createApiKey(db, principal, body) }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/api-keys',
    summary: 'List the API keys (owner/admin), newest first, without their secrets',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'api_keys.manage' },
    query: CursorQuery.extend({
      revoked: z.enum(['true', 'false']).optional().meta({ description: 'Only revoked (true) or live (false) keys' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'A page of keys', schema: page(ApiKeySchema, 'ApiKeyPage') } },
    handler: async ({ db, principal, query }) => {
      const revoked = query.revoked === undefined ? undefined : query.revoked === 'true';
      const { page: rows, nextCursor } = await listApiKeys(db, principal, { revoked, limit: query.limit, cursor: query.cursor });
      return { status: 200, body: { items: rows.map(toApiKey), nextCursor } };
    },
  });

  routes.add({
    method: 'post',
    path: '/api/v1/api-keys/{id}/revoke',
    summary: 'Revoke an API key (owner/admin): it stops working at once',
    description: 'Revoking an already revoked key changes nothing and answers the same. Audit-logged.',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'api_keys.manage' },
    params: IdParams,
    responses: { 200: { description: 'Revoked', schema: ApiKeySchema } },
    handler: async ({ db, principal, params }) => ({ status: 200, body: toApiKey(await revokeApiKey(db, principal, params.id)) }),
  });
}
