import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { sql } from 'kysely';
import request from 'supertest';
import { createApp } from '../../api/src/app.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueue } from '../../api/src/jobs/queue.ts';
import { newApiKey, newMember, newTenant, PASSWORD, saleBody, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Operating the server: request logs, security headers, CORS, body and time limits, and the
// Prometheus metrics, through HTTP on this suite's database.

const METRICS_TOKEN = 'metrics-token-0123456789';
const SHOP = 'https://shop.toko.test';
const ADMIN_TOKEN = 'local-tools-token';

let logs: Record<string, unknown>[];
let plain: TestApp;
let ops: TestApp;

beforeAll(async () => {
  logs = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  plain = await createTestApp({}, log);
  // The same database with the operator's settings (their parsing: test/unit/config.test.ts).
  const config = { ...plain.deps.config, metricsToken: METRICS_TOKEN, corsOrigins: [SHOP, 'https://other.toko.test'], requestTimeoutMs: 1000 };
  const server = createApp({ ...plain.deps, config, log: pino({ level: 'silent' }), adminToken: ADMIN_TOKEN }).app.callback();
  ops = { deps: { ...plain.deps, config }, http: request(server), agent: () => request.agent(server), close: async () => {} };
});
afterAll(() => plain?.close());

describe('request logs', () => {
  it('writes one JSON line per request with the route template, status, time, request id and tenant, and nothing secret', async () => {
    const tenant = await newTenant(plain);
    const member = await newMember(tenant);
    logs.length = 0;
    const res = await tenant.owner.get(`/api/v1/members/${member.id}`).set('X-Request-Id', 'till-7.abc:42').expect(200);
    expect(res.headers['x-request-id']).toBe('till-7.abc:42');
    const lines = logs.filter((line) => line.msg === 'request');
    expect(lines).toEqual([expect.objectContaining({
      level: 30, method: 'GET', route: '/api/v1/members/{id}', status: 200, requestId: 'till-7.abc:42', tenantId: tenant.id,
    })]);
    expect(lines[0].durationMs).toEqual(expect.any(Number));

    logs.length = 0;
    const login = await plain.http.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD }).expect(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0].split('=')[1];
    const written = JSON.stringify(logs);
    expect(logs).toEqual([expect.objectContaining({ msg: 'request', route: '/api/v1/auth/login', status: 200 })]);
    for (const secret of [PASSWORD, tenant.ownerEmail, cookie]) expect(written).not.toContain(secret);
  });

  it('generates a request id when none or an odd one is sent, and labels unknown paths "unmatched"', async () => {
    logs.length = 0;
    const odd = await plain.http.get(`/api/v1/nothing/${randomUUID()}`).set('X-Request-Id', '<script>alert(1)</script>').expect(404);
    const fresh = await plain.http.get('/api/health').expect(200);
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers['x-request-id']).not.toBe(fresh.headers['x-request-id']);
    expect(logs.map((line) => [line.route, line.status, line.requestId])).toEqual([
      ['unmatched', 404, odd.headers['x-request-id']],
      ['/api/health', 200, fresh.headers['x-request-id']],
    ]);
  });
});

describe('security headers', () => {
  it('sends nosniff, a referrer policy and frame protection on every answer, errors too, and no HSTS without TLS', async () => {
    for (const res of [await plain.http.get('/api/health').expect(200), await plain.http.get('/api/v1/members').expect(401)]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        'x-frame-options': 'SAMEORIGIN',
        'content-security-policy': "frame-ancestors 'self'",
      });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('gives the API docs a content security policy that allows only their own files', async () => {
    const docs = await plain.http.get('/api/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(docs.headers['x-frame-options']).toBe('DENY');
    expect(docs.text).not.toMatch(/<script>[^<]/); // no inline script the policy would block
  });
});

describe('CORS', () => {
  it('answers a preflight from a configured web shop, without credentials, and nothing to other origins', async () => {
    const preflight = await ops.http.options('/api/v1/checkout/evaluate')
      .set('Origin', SHOP).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SHOP);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('Idempotency-Key');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    const other = await ops.http.options('/api/v1/checkout/evaluate').set('Origin', 'https://other.toko.test').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBe('https://other.toko.test');

    for (const app of [ops, plain]) {
      const refused = await app.http.options('/api/v1/checkout/evaluate').set('Origin', 'https://evil.test').set('Access-Control-Request-Method', 'POST');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('lets the web shop read answers to its API key calls, and exposes the request id', async () => {
    const tenant = await newTenant(ops);
    const key = await newApiKey(tenant, ['read']);
    const res = await ops.http.get('/api/v1/stores').set('Origin', SHOP).set('Authorization', `Bearer ${key}`).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
    expect(res.headers.vary).toMatch(/Origin/);
    const unlisted = await plain.http.get('/api/health').set('Origin', SHOP).expect(200);
    expect(unlisted.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('limits', () => {
  it('refuses a JSON body over 1 MB with 413 problem+json naming the limit', async () => {
    const tenant = await newTenant(plain);
    const res = await tenant.owner.post('/api/v1/members').send({ name: 'x'.repeat(1024 * 1024 + 10), phone: '081200000000' }).expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'payload_too_large', status: 413, detail: expect.stringContaining('1 MB') });
  });

  it('answers 503 problem+json when a request takes longer than KARTU_REQUEST_TIMEOUT, and the work still finishes', async () => {
    const tenant = await newTenant(ops);
    const member = await newMember(tenant);
    // Hold the member's row (on PGlite: the one connection) so the change waits past the timeout.
    await ops.deps.db.transaction().execute(async (trx) => {
      await sql`select id from members where id = ${member.id} for update`.execute(trx);
      const started = Date.now();
      const res = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'Budi Lambat' }).expect(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'timeout', status: 503, detail: expect.stringContaining('1 s'), retryAfter: 3 });
      // Like every 503 and 429: when to try again (the work may still be running).
      expect(res.headers['retry-after']).toBe('3');
      expect(res.headers['x-request-id']).toBeTruthy();
    });
    await expect.poll(async () => (await tenant.owner.get(`/api/v1/members/${member.id}`)).body.name, { timeout: 10_000 }).toBe('Budi Lambat');
  });

  it('lets the local ledger check run past the timeout', async () => {
    let answer: Promise<request.Response> | undefined;
    // Block the accounts (on PGlite: the one connection) for longer than the 1 s timeout.
    await ops.deps.db.transaction().execute(async (trx) => {
      await sql`lock table point_accounts in access exclusive mode`.execute(trx);
      answer = ops.http.get('/api/internal/ledger/verify').set('Authorization', `Bearer ${ADMIN_TOKEN}`).then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    });
    const res = await answer!;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('never posts a sale twice when the till retries a timed-out one with the same Idempotency-Key', async () => {
    const tenant = await newTenant(ops);
    const member = await newMember(tenant);
    const key = randomUUID();
    const sale = saleBody({ memberId: member.id });
    const sell = () => tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', key).send(sale);
    // Hold the member's points account (on PGlite: the one connection) so the sale waits past the timeout.
    await ops.deps.db.transaction().execute(async (trx) => {
      await sql`select id from point_accounts where member_id = ${member.id} for update`.execute(trx);
      expect((await sell().expect(503)).body.code).toBe('timeout');
      // Postgres: the first sale still holds its key; PGlite: the retry queues behind it and times out too.
      const retry = await sell();
      if (process.env.DATABASE_URL) {
        expect(retry.status).toBe(409);
        expect(retry.body.code).toBe('idempotency_in_progress');
        expect(retry.headers['retry-after']).toBe('1');
      } else expect(retry.status).toBe(503);
    });
    let replayed: request.Response | undefined;
    await expect.poll(async () => (replayed = await sell()).status, { timeout: 10_000 }).toBe(201);
    expect(replayed!.headers['idempotent-replayed']).toBe('true');
    const posted = await ops.deps.db.selectFrom('transactions').select('id').where('tenant_id', '=', tenant.id).execute();
    expect(posted).toEqual([{ id: replayed!.body.id }]);
  });
});

describe('metrics', () => {
  it('is off without KARTU_METRICS_TOKEN and needs the token as a Bearer when on', async () => {
    expect((await plain.http.get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404)).body.code).toBe('not_found');
    expect((await ops.http.get('/api/metrics').expect(401)).body.code).toBe('unauthenticated');
    await ops.http.get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
    await ops.http.get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN.slice(0, 8)}`).expect(401);
  });

  it('counts requests and their durations by route template and status class, with process and database pool figures', async () => {
    const tenant: Tenant = await newTenant(ops);
    const member = await newMember(tenant);
    await tenant.owner.get(`/api/v1/members/${member.id}`).expect(200);
    await tenant.owner.get(`/api/v1/members/${randomUUID()}`).expect(404);
    await ops.http.get(`/api/v1/nothing/${member.id}`).expect(404);
    const res = await ops.http.get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(sample(text, 'kartu_http_request_duration_seconds_count{method="GET",route="/api/v1/members/{id}",status="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kartu_http_request_duration_seconds_count{method="GET",route="/api/v1/members/{id}",status="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kartu_http_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kartu_http_request_duration_seconds_bucket{le="30",method="POST",route="/api/v1/members",status="2xx"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(member.id);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'kartu_db_pool_max')).toBe(process.env.DATABASE_URL ? 20 : 1);
    expect(sample(text, 'kartu_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^kartu_db_pool_waiting \d+$/m);
    expect(sample(text, 'kartu_job_queue_jobs{queue="housekeeping",state="waiting"}')).toBeGreaterThanOrEqual(0);
  });

  it('reports each job queue’s depth and failures from pg-boss', async () => {
    const queue = await startQueue(ops.deps, []);
    const name = `metrics-test-${randomUUID().slice(0, 8)}`;
    try {
      await queue.boss.createQueue(name, { name, retryLimit: 0 });
      await queue.boss.send(name, {});
      await queue.boss.send(name, {});
      await queue.boss.send(name, {});
      const [job] = await queue.boss.fetch(name);
      await queue.boss.fail(name, job.id, { message: 'test failure' });
      const text = (await ops.http.get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
      expect(sample(text, `kartu_job_queue_jobs{queue="${name}",state="waiting"}`)).toBe(2);
      expect(sample(text, `kartu_job_queue_jobs{queue="${name}",state="failed"}`)).toBe(1);
    } finally {
      await sql`delete from pgboss.job where name = ${name}`.execute(ops.deps.db); // deleteQueue refuses a queue with jobs
      await queue.boss.deleteQueue(name);
      await queue.stop();
    }
  });
});

/** The value of one sample line of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
