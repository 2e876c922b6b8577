import type Router from '@koa/router';
import { z } from 'zod';
import { problemRef } from '../http/openapi-components.ts';
import type { Routes } from '../http/route.ts';
import { safeEqual, sha256 } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';
import type { Metrics } from './metrics.ts';

/**
 * GET /api/metrics in Prometheus text format. Off (404) unless KARTU_METRICS_TOKEN is set, then only
 * for a scraper that sends it as a Bearer token: the shop network must not read the server's insides.
 */
export function metricsRoute(router: Router, metrics: Metrics, token: string | undefined): void {
  router.get('/api/metrics', async (ctx) => {
    if (!token) throw new DomainError('not_found', 'Metrics are off: set KARTU_METRICS_TOKEN to turn them on');
    const given = /^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1];
    // Compared as hashes: equal lengths, so the time taken tells nothing about the token.
    if (!given || !safeEqual(sha256(given), sha256(token))) {
      throw new DomainError('unauthenticated', 'Send the metrics token: Authorization: Bearer <KARTU_METRICS_TOKEN>');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  });
}

/** Its OpenAPI operation (the route above is not made with Routes.add: its caller is a scraper, not a principal). */
export function documentMetricsRoute(routes: Routes): void {
  const { registry } = routes;
  registry.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The server’s KARTU_METRICS_TOKEN (metrics are off without one)',
  });
  registry.registerPath({
    method: 'get',
    path: '/api/metrics',
    summary: 'Prometheus metrics: requests by route and status, job queues, database pool, process',
    tags: ['Platform'],
    security: [{ metricsToken: [] }],
    responses: {
      200: {
        description: 'Prometheus text exposition format (`text/plain; version=0.0.4; charset=utf-8`)',
        headers: { 'Cache-Control': { description: '`no-store`', schema: { type: 'string' } } },
        content: { 'text/plain': { schema: z.string() } },
      },
      401: problemRef(registry, 'Unauthenticated', 'No or a wrong metrics token'),
      404: problemRef(registry, 'NotFound', 'Metrics are off: KARTU_METRICS_TOKEN is not set'),
      503: problemRef(registry, 'Timeout'),
    },
  });
}
