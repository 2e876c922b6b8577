import { sql } from 'kysely';
import { z } from 'zod';
import { databaseKind } from '@kartu/db';
import { openApiDocumentOf } from '../http/openapi.ts';
import type { Routes } from '../http/route.ts';

export function platformRoutes(routes: Routes): void {
  routes.add({
    method: 'get',
    path: '/api/health',
    summary: 'Health: the server answers and its database too',
    tags: ['Platform'],
    auth: 'public',
    responses: {
      200: {
        description: 'Up',
        schema: z.object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']) }).meta({ id: 'Health' }),
      },
    },
    handler: async ({ deps }) => {
      await sql`select 1`.execute(deps.db);
      return { status: 200, body: { status: 'ok', database: databaseKind(deps.db) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document (a readable page is at /api/docs)',
    tags: ['Platform'],
    auth: 'public',
    responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
    handler: async () => ({ status: 200, body: openApiDocumentOf(routes) }),
  });
}
