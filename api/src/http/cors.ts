import cors from '@koa/cors';
import type { Middleware } from 'koa';

/**
 * Browsers may call the API only from the web-shop origins configured (KARTU_CORS_ORIGINS); other
 * origins get no CORS headers, so their scripts cannot read the answers. Web shops authenticate with
 * API keys, never cookies, so credentials are not allowed.
 */
export function corsFor(origins: string[]): Middleware {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Location'],
    maxAge: 600,
  });
}
