import type Router from '@koa/router';
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
