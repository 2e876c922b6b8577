import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, pgPoolOf } from '@kartu/db';
import { createApp } from '../../api/src/app.ts';
import { createRateLimits, type SharedCounters } from '../../api/src/http/rate-limits.ts';
import { purgeExpiredRateLimits } from '../../api/src/http/rate-limits.repository.ts';
import { runLedgerJobs } from '../../api/src/jobs/scheduler.ts';
import { newMember, newPhone, newTenant, PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Issue 11: on PostgreSQL the rate limits are counters in the database, so several API processes
// behind one port allow each quota once between them; when those counters fail, each process
// counts alone (never a 500, never unlimited).

const onPostgres = Boolean(process.env.DATABASE_URL);

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const requestOtp = (http: TestApp['http'], slug: string, phone: string) => http.post('/api/v1/member-auth/otp').send({ slug, phone });

function expectRetryAfterWithin(res: request.Response, seconds: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body.code).toBe('rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(seconds);
}

describe.skipIf(!onPostgres)('two API instances on one PostgreSQL', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    const rateLimitNamespace = randomBytes(6).toString('hex');
    [first, second] = await Promise.all([createTestApp({}, undefined, { rateLimitNamespace }), createTestApp({}, undefined, { rateLimitNamespace })]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  it('share the one-time-code quota: 3 codes per phone in 10 minutes between them, then 429 on either with Retry-After', async () => {
    const tenant = await newTenant(first);
    const phone = newPhone();
    await newMember(tenant, { phone });
    for (const http of [first.http, second.http, first.http]) expect((await requestOtp(http, tenant.slug, phone)).status).toBe(202);
    expectRetryAfterWithin(await requestOtp(second.http, tenant.slug, phone), 600);
    expectRetryAfterWithin(await requestOtp(first.http, tenant.slug, phone), 600);
    const sent = await first.deps.db.selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).where('purpose', '=', 'otp').execute();
    expect(sent).toHaveLength(3);
  });

  it('share failed sign-ins: 10 wrong passwords for one email split across both, then even the right one is 429', async () => {
    const tenant = await newTenant(first);
    for (let i = 0; i < 10; i++) {
      const http = i % 2 ? second.http : first.http;
      expect((await http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: 'wrong password' })).status).toBe(401);
    }
    for (const http of [first.http, second.http]) {
      expectRetryAfterWithin(await http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD }), 15 * 60);
    }
  });

  it('an instance counting under another namespace (another test) has its own quota', async () => {
    const tenant = await newTenant(first);
    const phone = newPhone();
    await newMember(tenant, { phone });
    for (let i = 0; i < 3; i++) expect((await requestOtp(first.http, tenant.slug, phone)).status).toBe(202);
    expect((await requestOtp(first.http, tenant.slug, phone)).status).toBe(429);
    expect((await requestOtp(app.http, tenant.slug, phone)).status).toBe(202);
  });

  it('falls back to counting in the process when the shared counters do not answer in time (a pool with no free connection)', async () => {
    const db = await createDb({ url: process.env.DATABASE_URL, maxConnections: 1 });
    const pool = pgPoolOf(db)!;
    const held = await pool.connect();
    try {
      const { http, warnings } = appWithCounters({ pool, timeoutMs: 200 });
      const tenant = await newTenant(app);
      const phone = newPhone();
      await newMember(tenant, { phone });
      const started = performance.now();
      for (let i = 0; i < 3; i++) expect((await requestOtp(http, tenant.slug, phone)).status).toBe(202);
      expectRetryAfterWithin(await requestOtp(http, tenant.slug, phone), 600);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(warnings()).toHaveLength(1);
    } finally {
      held.release();
      await db.destroy();
    }
  });
});

/** The test app's database and config, with rate limits counted by `counters` and log warnings kept. */
function appWithCounters(counters: Omit<SharedCounters, 'log' | 'namespace'>) {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
  const limits = createRateLimits({ ...counters, namespace: `${randomBytes(6).toString('hex')}:`, log });
  const { app: koa } = createApp({ ...app.deps, log, limits });
  const warnings = () => lines.map((line) => JSON.parse(line)).filter((entry) => /shared counters/.test(entry.msg));
  return { http: request(koa.callback()), warnings };
}

describe('when the shared counters fail', () => {
  it('PostgreSQL down: limits still hold per process, 429 not 500, and one warning in the log', async () => {
    const dead = await createDb({ url: 'postgres://postgres@127.0.0.1:1/kartu_nowhere' });
    try {
      const { http, warnings } = appWithCounters({ pool: pgPoolOf(dead)! });
      const tenant = await newTenant(app);
      const phone = newPhone();
      await newMember(tenant, { phone });
      for (let i = 0; i < 3; i++) expect((await requestOtp(http, tenant.slug, phone)).status).toBe(202);
      expectRetryAfterWithin(await requestOtp(http, tenant.slug, phone), 600);
      // A guessing guard read before counting (assertUnder) falls back too.
      for (let i = 0; i < 10; i++) expect((await http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: 'wrong password' })).status).toBe(401);
      expectRetryAfterWithin(await http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD }), 15 * 60);
      expect(warnings()).toHaveLength(1);
    } finally {
      await dead.destroy();
    }
  });
});

describe('stale counters', () => {
  const now = Date.now();
  const rows = (prefix: string) => [
    { key: `${prefix}:over`, points: 3, expire: now - 2 * 60_000 },
    { key: `${prefix}:just-over`, points: 3, expire: now - 1000 },
    { key: `${prefix}:live`, points: 1, expire: now + 10 * 60_000 },
  ];
  const keysLeft = async (prefix: string) =>
    (await app.deps.db.selectFrom('rate_limits').select('key').where('key', 'like', `${prefix}:%`).orderBy('key').execute()).map((r) => r.key);

  it('are deleted once their window is over a minute past; live ones stay', async () => {
    const prefix = randomBytes(6).toString('hex');
    await app.deps.db.insertInto('rate_limits').values(rows(prefix)).execute();
    expect(await purgeExpiredRateLimits(app.deps.db)).toBeGreaterThanOrEqual(1);
    expect(await keysLeft(prefix)).toEqual([`${prefix}:just-over`, `${prefix}:live`]);
  });

  it('by the housekeeping job, by the clock and not by the job’s `now` (tests run it days ahead)', async () => {
    const prefix = randomBytes(6).toString('hex');
    await app.deps.db.insertInto('rate_limits').values(rows(prefix)).execute();
    // Another file's housekeeping may hold the job's lock for a moment.
    let result = await runLedgerJobs(app.deps, new Date(now + 30 * 86_400_000));
    for (let tries = 0; !result && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await runLedgerJobs(app.deps, new Date(now + 30 * 86_400_000));
    }
    expect(result?.rateLimits).toBeGreaterThanOrEqual(1);
    expect(await keysLeft(prefix)).toEqual([`${prefix}:just-over`, `${prefix}:live`]);
  });
});
