import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { databaseKind } from '@kartu/db';
import { dumpEmbeddedDatabase } from '../backup/embedded-backup.ts';
import type { AppDeps } from '../deps.ts';
import { problemRef } from '../http/openapi-components.ts';
import type { Routes } from '../http/route.ts';
import { verifyLedger } from '../ledger/verify.ts';
import { safeEqual } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';

// For command-line tools on this machine while the server holds the embedded database. Not through
// Routes.add: no session or API key, but the token of the pid file, from this machine only.

export function internalRoutes(router: Router, deps: AppDeps): void {
  router.get('/api/internal/ledger/verify', async (ctx) => {
    assertLocalTool(ctx, deps.adminToken);
    ctx.body = await verifyLedger(deps.db);
  });
  router.post('/api/internal/backup', async (ctx) => {
    assertLocalTool(ctx, deps.adminToken);
    if (databaseKind(deps.db) !== 'pglite') throw new DomainError('not_found', 'PostgreSQL is backed up with pg_dump or point-in-time recovery');
    ctx.type = 'application/gzip';
    ctx.body = Buffer.from(await dumpEmbeddedDatabase(deps.db));
  });
}

// The token is in the pid file only the data folder's owner can read; the address keeps it off the network:
// the socket's, never ctx.ip (X-Forwarded-For), and not through a proxy on this machine (it connects from loopback too).
function assertLocalTool(ctx: Context, adminToken: string | undefined) {
  const token = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1];
  const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(ctx.req.socket.remoteAddress ?? '');
  const proxied = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((name) => name in ctx.req.headers);
  if (!adminToken || !token || !loopback || proxied || !safeEqual(Buffer.from(token), Buffer.from(adminToken))) {
    throw new DomainError('forbidden', 'Local tools only');
  }
}

const LedgerCheck = z
  .object({
    accounts: z.number().int().meta({ description: 'Point accounts checked' }),
    violations: z.array(z.object({
      tenantId: z.string().uuid(),
      accountId: z.string().uuid().meta({ description: 'The account, or for the sale-level checks the sale' }),
      check: z.string(),
      expected: z.number(),
      actual: z.number(),
    })),
  })
  .meta({ id: 'LedgerCheck' });

export function documentInternalRoutes(routes: Routes): void {
  const { registry } = routes;
  registry.registerComponent('securitySchemes', 'localTool', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token a running server writes to the pid file in its data folder; accepted only from this machine’s loopback address, never through a proxy',
  });
  const common = {
    tags: ['Internal'],
    security: [{ localTool: [] }],
    responses: {
      403: problemRef(registry, 'Forbidden', 'Not a local tool: no or a wrong token, another machine, or through a proxy'),
    },
  };
  registry.registerPath({
    ...common,
    method: 'get',
    path: '/api/internal/ledger/verify',
    summary: 'Check every point account’s ledger invariants (npm run ledger:verify)',
    responses: {
      200: { description: 'The accounts checked and any violation found', content: { 'application/json': { schema: LedgerCheck } } },
      ...common.responses,
    },
  });
  registry.registerPath({
    ...common,
    method: 'post',
    path: '/api/internal/backup',
    summary: 'A gzipped dump of the embedded database (npm run backup)',
    responses: {
      200: { description: 'The dump', content: { 'application/gzip': { schema: z.string().meta({ format: 'binary' }) } } },
      ...common.responses,
      404: problemRef(registry, 'NotFound', 'The server runs on PostgreSQL: back it up with pg_dump or point-in-time recovery'),
    },
  });
}
