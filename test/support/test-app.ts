import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import { createDb, migrateToLatest, pgPoolOf } from '@kartu/db';
import { createApp } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config.ts';
import type { AppDeps } from '../../api/src/deps.ts';
import { createRateLimits } from '../../api/src/http/rate-limits.ts';

export const TEST_SECRET = 'kartu-test-secret-key-0123456789abcdef';

export interface TestApp {
  deps: AppDeps;
  http: ReturnType<typeof request>;
  /** A cookie-keeping client, like one browser. */
  agent: () => ReturnType<typeof request.agent>;
  close: () => Promise<void>;
}

/**
 * The app on a real database: the suite's Postgres when DATABASE_URL is set, else an in-memory
 * PGlite of this file's own. Tests isolate by making their own tenants (factories.ts).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  log: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  // On Postgres the rate limits are shared counters: each app counts under its own namespace, so
  // tests on one database do not spend each other's quota; apps given the same one share it.
  { rateLimitNamespace = randomBytes(6).toString('hex') }: { rateLimitNamespace?: string } = {},
): Promise<TestApp> {
  const config = loadConfig({
    KARTU_SECRET_KEY: TEST_SECRET,
    KARTU_SIGNUP: 'on',
    KARTU_DEMO: 'off',
    KARTU_ALLOW_PRIVATE_TARGETS: 'on',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    ...env,
  });
  const db = await createDb({ url: config.databaseUrl, dataDir: 'memory://' });
  if (!config.databaseUrl) await migrateToLatest(db);
  const pool = config.rateLimits === 'shared' ? pgPoolOf(db) : undefined;
  const limits = createRateLimits(pool && { pool, namespace: `${rateLimitNamespace}:`, log });
  const deps: AppDeps = { db, config, log, limits };
  const { app } = createApp(deps);
  const server = app.callback();
  return {
    deps,
    http: request(server),
    agent: () => request.agent(server),
    close: () => db.destroy(),
  };
}
