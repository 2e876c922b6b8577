import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sql } from 'kysely';
import { z } from 'zod';
import { databaseKind } from '@kartu/db';
import { docsInit, docsPage, openApiDocumentOf } from '../http/openapi.ts';
import type { Routes } from '../http/route.ts';

const swaggerDir = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
const swaggerAssets = [['swagger-ui.css', 'text/css'], ['swagger-ui-bundle.js', 'application/javascript']] as const;

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

  routes.add({
    method: 'get',
    path: '/api/docs',
    summary: 'A readable page of this document (Swagger UI)',
    tags: ['Platform'],
    auth: 'public',
    responses: { 200: { description: 'The page', schema: z.string(), contentType: 'text/html' } },
    handler: async (_input, ctx) => {
      ctx.type = 'html';
      return { status: 200, body: docsPage };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/docs/init.js',
    summary: 'The docs page’s script that loads this document',
    tags: ['Platform'],
    auth: 'public',
    responses: { 200: { description: 'The script', schema: z.string(), contentType: 'application/javascript' } },
    handler: async (_input, ctx) => {
      ctx.type = 'application/javascript';
      return { status: 200, body: docsInit };
    },
  });

  for (const [file, contentType] of swaggerAssets) {
    routes.add({
      method: 'get',
      path: `/api/docs/assets/${file}`,
      summary: `The docs page’s ${file} (swagger-ui-dist)`,
      tags: ['Platform'],
      auth: 'public',
      responses: { 200: { description: 'The file, cached for a day', schema: z.string(), contentType } },
      handler: async (_input, ctx) => {
        ctx.type = contentType;
        return { status: 200, body: createReadStream(join(swaggerDir, file)), headers: { 'Cache-Control': 'public, max-age=86400' } };
      },
    });
  }
}
