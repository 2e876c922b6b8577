import './http/zod-openapi.ts';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { brandingRoutes } from './branding/branding.routes.ts';
import { cardQrRoutes } from './cards/card-qr.routes.ts';
import { cardRoutes } from './cards/cards.routes.ts';
import { checkoutRoutes } from './checkout/checkout.routes.ts';
import { earningRuleRoutes } from './earning/earning-rules.routes.ts';
import { pointsSettingsRoutes } from './points/points-settings.routes.ts';
import { promotionRoutes } from './promotions/promotions.routes.ts';
import { reportRoutes } from './reports/reports.routes.ts';
import { memberRewardRoutes } from './rewards/member-rewards.routes.ts';
import { rewardRoutes } from './rewards/rewards.routes.ts';
import { tierRoutes } from './tiers/tiers.routes.ts';
import type { AppDeps } from './deps.ts';
import { openApiDocumentOf } from './http/openapi.ts';
import { problemOf, sendProblem } from './http/problem.ts';
import { Routes } from './http/route.ts';
import { pointsRoutes } from './ledger/points.routes.ts';
import { memberAuthRoutes } from './member-auth/member-auth.routes.ts';
import { memberRoutes } from './members/members.routes.ts';
import { outboxRoutes } from './outbox/outbox.routes.ts';
import { presenceCodeRoutes } from './scan/presence-codes.routes.ts';
import { scanRoutes } from './scan/scan.routes.ts';
import { DomainError } from './shared/errors.ts';
import { voucherNotEligible, voucherUsedUp } from './vouchers/voucher-errors.ts';
import { corsFor } from './http/cors.ts';
import { requestIdOf, routeTemplateOf } from './http/request-log.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { csvUploads, untimed } from './http/long-requests.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createMetrics } from './metrics/metrics.ts';
import { documentMetricsRoute, metricsRoute } from './metrics/metrics.routes.ts';
import { staffRoutes } from './staff/staff.routes.ts';
import { storeRoutes } from './stores/stores.routes.ts';
import { tenantRoutes } from './tenants/tenants.routes.ts';
import { transactionRoutes } from './transactions/transactions.routes.ts';
import { walletRoutes } from './wallets/wallets.routes.ts';
import { voucherRoutes } from './vouchers/vouchers.routes.ts';
import { lifecycleRoutes } from './lifecycle/lifecycle.routes.ts';
import { referralRoutes } from './referrals/referrals.routes.ts';
import { signupRoutes } from './signup/signup.routes.ts';
import { memberRecordRoutes } from './members/member-records.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { miningRoutes } from './mining/mining.routes.ts';
import { offerRoutes } from './offers/offers.routes.ts';
import { automationRoutes } from './automations/automations.routes.ts';
import { segmentRoutes } from './segments/segments.routes.ts';
import { rfmRoutes } from './rfm/rfm.routes.ts';
import { messageRoutes } from './messages/messages.routes.ts';
import { feedbackRoutes } from './feedback/feedback.routes.ts';
import { importRoutes } from './imports/imports.routes.ts';
import { exportRoutes } from './exports/exports.routes.ts';
import { member360Routes } from './member360/member360.routes.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';
import { productRoutes } from './products/products.routes.ts';
import { platformRoutes } from './platform/platform.routes.ts';
import { documentInternalRoutes, internalRoutes } from './platform/internal.routes.ts';
import { privacyRoutes } from './privacy/privacy.routes.ts';

const routeModules = [
  tenantRoutes, authRoutes, storeRoutes, staffRoutes, apiKeyRoutes, memberRoutes, cardRoutes, cardQrRoutes, scanRoutes, presenceCodeRoutes, transactionRoutes,
  pointsRoutes, memberAuthRoutes, outboxRoutes, earningRuleRoutes, tierRoutes, pointsSettingsRoutes, checkoutRoutes, reportRoutes,
  walletRoutes, brandingRoutes, promotionRoutes, voucherRoutes, rewardRoutes, memberRewardRoutes, signupRoutes, referralRoutes, lifecycleRoutes, memberRecordRoutes, auditRoutes, miningRoutes, offerRoutes,
  segmentRoutes, rfmRoutes, feedbackRoutes, automationRoutes, messageRoutes, importRoutes, exportRoutes, member360Routes, webhookRoutes,
  productRoutes, privacyRoutes,
];

export function buildRoutes(deps?: AppDeps): Routes {
  const routes = new Routes(deps);
  for (const register of routeModules) register(routes);
  platformRoutes(routes);
  // Served by their own handlers in createApp (a scraper's and local tools' tokens, not a principal).
  documentMetricsRoute(routes);
  documentInternalRoutes(routes);
  return routes;
}

export function createApp(deps: AppDeps) {
  // One proxy hop: ctx.ip is the address the proxy saw (the last X-Forwarded-For entry), not whatever a client put before it.
  const app = new Koa({ proxy: deps.config.trustProxy, maxIpsCount: 1 });
  const routes = buildRoutes(deps);
  const openapi = openApiDocumentOf(routes);
  const metrics = createMetrics(deps.db);

  // Named middleware: test/api/openapi-document.test.ts checks that only the router answers requests.
  app.use(async function requestEnvelope(ctx, next) {
    const requestId = requestIdOf(ctx.get('X-Request-Id'));
    ctx.set('X-Request-Id', requestId);
    ctx.set(securityHeaders(ctx.path, Boolean(deps.config.tls)));
    const started = performance.now();
    const log = deps.log.child({ requestId });
    ctx.state.log = log;
    try {
      await next();
    } catch (error) {
      renderError(ctx, error, log);
    }
    if (ctx.body === undefined && (ctx.status === 404 || ctx.status === 405 || ctx.status === 501)) {
      const error = ctx.status === 404
        ? new DomainError('not_found', `No endpoint ${ctx.method} ${ctx.path}`)
        : new DomainError('method_not_allowed', `${ctx.path} does not take ${ctx.method}; it takes ${ctx.response.get('Allow')}`);
      sendProblem(ctx, problemOf(error));
    }
    const route = routeTemplateOf(ctx);
    const ms = performance.now() - started;
    metrics.observeRequest({ method: ctx.method, route, status: ctx.status }, ms / 1000);
    log.info({ method: ctx.method, route, status: ctx.status, durationMs: Math.round(ms), tenantId: ctx.state.tenantId }, 'request');
  });
  app.use(corsFor(deps.config.corsOrigins));
  app.use(requestTimeout(deps.config.requestTimeoutMs, untimed));

  app.use(async function jsonBodiesOnly(ctx, next) {
    const hasBody = Boolean(ctx.request.length || ctx.get('Transfer-Encoding'));
    const csvUpload = csvUploads.has(ctx.path) && ctx.is('text/csv');
    if (['POST', 'PATCH', 'PUT'].includes(ctx.method) && hasBody && !ctx.is('application/json') && !csvUpload) {
      throw new DomainError('unsupported_media_type', 'Send the body as application/json');
    }
    await next();
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb' }));

  metricsRoute(routes.router, metrics, deps.config.metricsToken);
  internalRoutes(routes.router, deps);

  app.use(routes.router.routes());
  app.use(routes.router.allowedMethods());
  return { app, openapi, routes };
}

// A concurrent duplicate passes the service's check and stops at the unique index: same answer.
const uniqueViolations: Record<string, DomainError> = {
  members_tenant_id_phone_key: new DomainError('phone_taken', 'This phone number is already a member', {}, [{ path: 'body.phone', message: 'Already registered' }]),
  stores_tenant_id_code_key: new DomainError('store_code_taken', 'This store code is in use', {}, [{ path: 'body.code', message: 'Taken' }]),
  staff_email_key: new DomainError('email_taken', 'This email already has a Kartu account', {}, [{ path: 'body.email', message: 'Taken' }]),
  tenants_slug_key: new DomainError('slug_taken', 'This slug is taken', {}, [{ path: 'body.slug', message: 'Taken' }]),
  tiers_tenant_id_code_key: new DomainError('validation', 'This tier code exists', {}, [{ path: 'body.code', message: 'Taken' }]),
  tiers_tenant_id_rank_key: new DomainError('validation', 'A tier has this rank', {}, [{ path: 'body.rank', message: 'Taken' }]),
  members_referral_code: new DomainError('conflict', 'Two members were given the same referral code at once; try again', { retryAfter: 1 }),
  cards_one_current_per_member: new DomainError('conflict', 'The member’s card changed meanwhile; try again', { retryAfter: 1 }),
  segments_tenant_id_code_key: new DomainError('conflict', 'A segment with this code exists', {}, [{ path: 'body.code', message: 'Taken' }]),
  products_sku: new DomainError('product_sku_taken', 'Another product has this SKU', {}, [{ path: 'body.sku', message: 'Taken' }]),
};

// A voucher's use is counted when its transaction commits (migration 0030): a till that lost the
// race for the last use, or a voucher voided or paused meanwhile, fails the commit. Same answers as
// the checks before it.
const checkViolations: Record<string, () => DomainError> = {
  voucher_use_used_up: voucherUsedUp,
  voucher_use_voided: () => voucherNotEligible('voided'),
  voucher_use_batch_inactive: () => voucherNotEligible('disabled'),
};

function renderError(ctx: Koa.Context, error: unknown, log: AppDeps['log']) {
  if (error instanceof DomainError) return sendProblem(ctx, problemOf(error));
  const pg = error as { code?: string; constraint?: string };
  if (pg.code === '23505' && pg.constraint && uniqueViolations[pg.constraint]) return sendProblem(ctx, problemOf(uniqueViolations[pg.constraint]));
  if (pg.code === '23514' && pg.constraint && checkViolations[pg.constraint]) return sendProblem(ctx, problemOf(checkViolations[pg.constraint]()));
  // Lock order makes these rare; when Postgres still picks a victim, nothing happened: try again.
  if (pg.code === '40P01' || pg.code === '40001') {
    log.warn({ err: error }, 'transaction aborted by the database');
    return sendProblem(ctx, problemOf(new DomainError('conflict', 'Another request changed the same data; try again', { retryAfter: 1 })));
  }
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  if (status === 413) return sendProblem(ctx, problemOf(new DomainError('payload_too_large', 'The body is larger than 1 MB')));
  // A Content-Encoding the body does not match (zlib's Z_DATA_ERROR, Z_BUF_ERROR…), or one the parser does not take.
  if (pg.code?.startsWith('Z_')) {
    return sendProblem(ctx, problemOf(new DomainError('validation', 'The body does not match its Content-Encoding', {}, [{ path: 'body', message: 'Not valid gzip or deflate data' }])));
  }
  if (status === 415) return sendProblem(ctx, problemOf(new DomainError('unsupported_media_type', 'Send the body without a Content-Encoding, or gzip or deflate')));
  if (status && status >= 400 && status < 500) {
    return sendProblem(ctx, problemOf(new DomainError('validation', 'The body is not valid JSON', {}, [{ path: 'body', message: 'Invalid JSON' }])));
  }
  log.error({ err: error }, 'unhandled error');
  sendProblem(ctx, {
    type: 'about:blank', title: 'Internal error', status: 500, code: 'internal',
    detail: `Something went wrong on our side; quote request ${ctx.response.get('X-Request-Id')}`,
  });
}
