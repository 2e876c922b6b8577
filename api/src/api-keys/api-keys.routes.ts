import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { createApiKey } from './api-keys.service.ts';

export function apiKeyRoutes(routes: Routes) {
  routes.add({
    method: 'post',
    path: '/api/v1/api-keys',
    summary: 'Create an API key (owner/admin); the key is shown once',
    tags: ['Platform'],
    auth: { principals: ['staff'], permission: 'api_keys.manage' },
    body: z.object({
      name: z.string().trim().min(1).max(100),
      scopes: z.array(z.enum(['pos', 'read', 'admin'])).min(1),
      storeId: z.uuid().optional(),
    }),
    responses: {
      201: { description: 'Created; send it as `Authorization: Bearer <key>`', schema: z.object({ id: z.uuid(), key: z.string() }) },
    },
    handler: async ({ db, principal, body }) => ({ status: 201, body: await createApiKey(db, principal, body) }),
  });
}
