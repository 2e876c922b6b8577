import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomBytes, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createDb, migrateToLatest, pgPoolOf } from '@kartu/db';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, unknownVariables } from './config.ts';
import type { AppDeps } from './deps.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { securityHeaders } from './http/security-headers.ts';
import { startQueue } from './jobs/queue.ts';
import { importHousekeeping } from './imports/imports.service.ts';
import { startMessageDispatcher } from './messages/dispatch.ts';
import { DEMO_MEMBER_PHONE, seedDemoIfEmpty } from './demo/seed.ts';
import { loadFrontend } from './server/frontends.ts';
import { landingPage } from './server/landing.ts';
import { readLiveServer, removePidFile, writePidFile } from './server/pid-file.ts';

async function main() {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  for (const name of unknownVariables()) log.warn({ variable: name }, `${name} is not a Kartu setting and is ignored: a typo? (README, Production)`);
  const adminToken = randomBytes(24).toString('base64url');
  if (!config.databaseUrl) {
    const live = readLiveServer(config.dataDir);
    if (live) throw new ConfigError(`Another Kartu server (pid ${live.pid}, port ${live.port}) has ${config.dataDir} open`);
    // Claimed before the database opens, so tools wait for a first start's seeding instead of opening it too.
    mkdirSync(config.dataDir, { recursive: true });
    writePidFile(config.dataDir, { pid: process.pid, port: 0, adminToken });
  }

  const started = performance.now();
  const db = await createDb({ url: config.databaseUrl, dataDir: config.dataDir, prepareStatements: config.preparedStatements });
  const applied = await migrateToLatest(db);
  if (applied.length) log.info({ migrations: applied }, 'migrated');
  const pool = config.rateLimits === 'shared' ? pgPoolOf(db) : undefined;
  // Only for `npm run bench`, which loads the server from one IP; never on by default.
  if (config.benchRateLimits) log.warn('KARTU_BENCH_RATE_LIMITS=on: rate limits are a million times higher (benchmarks only)');
  const limits = createRateLimits(pool && { pool, log }, { scale: config.benchRateLimits ? 1_000_000 : 1 });
  const deps: AppDeps = { db, config, log, limits, adminToken };
  const seeded = config.demo ? await seedDemoIfEmpty(deps) : false;

  // Housekeeping and automations run as pg-boss jobs (jobs/queue.ts), in this database.
  const queue = await startQueue(deps);
  // Member imports a stopped server left half done go on from where they were (no row is worked twice).
  const imports = await importHousekeeping(db, { db, log, secretKey: config.secretKey }, new Date(), { resumeAll: true });
  if (imports.resumed || imports.abandoned) log.info(imports, 'member imports resumed after a restart');
  const stopDispatcher = startMessageDispatcher(deps);
  const { app } = createApp(deps);
  const api = app.callback();
  const [portal, memberApp] = await Promise.all([loadFrontend('portal'), loadFrontend('member-app')]);
  const landing = landingPage(config.demo);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const notFound = () => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not found');
    };
    if (path === '/api' || path.startsWith('/api/')) return api(req, res);
    for (const [name, value] of Object.entries(securityHeaders(path, Boolean(config.tls)))) res.setHeader(name, value);
    if (path === '/portal' || path.startsWith('/portal/') || path.startsWith('/portal?')) return portal(req, res, notFound);
    if (path === '/app' || path.startsWith('/app/') || path.startsWith('/app?')) return memberApp(req, res, notFound);
    if (path === '/' || path.startsWith('/?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(landing);
    }
    notFound();
  };
  const server = config.tls
    ? createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handle)
    : createHttpServer(handle);
  // Receiving a request, a 64 MB member CSV on a shop's uplink included; answering is the app's timeout (KARTU_REQUEST_TIMEOUT).
  server.requestTimeout = 10 * 60_000;
  server.headersTimeout = 15_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Port ${config.port} is in use; set PORT to another`) : error));
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  if (!config.databaseUrl) {
    const tlsFingerprint = config.tls ? new X509Certificate(readFileSync(config.tls.cert)).fingerprint256 : undefined;
    writePidFile(config.dataDir, { pid: process.pid, port, adminToken, tlsFingerprint });
  }

  const base = `${config.tls ? 'https' : 'http'}://localhost:${port}`;
  const lines = [
    '',
    `  Kartu is running on ${base}  (${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`}, ready in ${Math.round(performance.now() - started)} ms)`,
    '',
    `  Portal (staff, till)   ${base}/portal/`,
    `  Member app             ${base}/app/`,
    `  API docs               ${base}/api/docs`,
  ];
  if (config.demo) {
    lines.push(
      '',
      `  Demo mode${seeded ? ' — seeded "Toko Demo" just now' : ''}. Sign in to the portal with`,
      '    owner@demo.kartu · marketer@demo.kartu · cashier@demo.kartu   password: kartu-demo',
      `  Member app: demo member Siti Rahayu signs in with ${DEMO_MEMBER_PHONE.replace('+62', '0')}; one-time codes`,
      '  are printed here and shown in the portal outbox.',
    );
  }
  console.log(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    stopDispatcher();
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections(); // keep-alive connections would hold close() open
    await closed;
    await queue.stop().catch((error) => log.error({ err: error }, 'job queue did not stop cleanly'));
    await db.destroy();
    if (!config.databaseUrl) removePidFile(config.dataDir);
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(`Kartu cannot start: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
