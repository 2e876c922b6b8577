import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiKey, newTenant, type Tenant } from '../support/factories.ts';
import { describeRequest, operationsOf, requestsFor, urlOf, type CallerName, type Document, type FuzzRequest, type Operation } from '../support/fuzz-requests.ts';
import { changedTables, fingerprintOf, objectsOfEveryKind, type Fingerprint, type TenantObjects } from '../support/tenant-objects.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Issue 12: every operation of the served OpenAPI document, called by the owner, API keys of each
// scope, a member or forged credentials, with hostile parameters, headers and bodies. Whatever comes
// in: never a 5xx; every 4xx is problem+json with type, title and status; a 4xx changes none of the
// retailer's data. A fixed seed and a few runs per operation here; `npm run fuzz` runs many more
// (KARTU_FUZZ_RUNS, KARTU_FUZZ_SEED).

const RUNS = Number(process.env.KARTU_FUZZ_RUNS || 3);
const SEED = Number(process.env.KARTU_FUZZ_SEED || 20_261_203);

const app: TestApp = await createTestApp();
const document: Document = (await app.http.get('/api/openapi.json')).body;
const operations = operationsOf(document);

let tenant: Tenant;
let objects: TenantObjects;
let keys: Record<'adminKey' | 'posKey' | 'readKey', string>;
let baseline: Fingerprint;
/** Answers by status, per operation: KARTU_FUZZ_STATS=on prints them, to see how far requests get. */
const statuses = new Map<string, Map<number, number>>();

beforeAll(async () => {
  tenant = await newTenant(app);
  objects = await objectsOfEveryKind(app, tenant);
  keys = { adminKey: await newApiKey(tenant, ['admin']), posKey: await newApiKey(tenant, ['pos']), readKey: await newApiKey(tenant, ['read']) };
  baseline = await fingerprintOf(app, tenant.id);
}, 120_000);
afterAll(async () => {
  if (process.env.KARTU_FUZZ_STATS) {
    for (const [name, counts] of statuses) console.log(`${name}: ${[...counts].sort(([x], [y]) => x - y).map(([status, n]) => `${status}×${n}`).join(' ')}`);
  }
  await app.close();
});

function send(op: Operation, request: FuzzRequest) {
  const clients: Record<CallerName, typeof tenant.owner | typeof app.http> = {
    owner: tenant.owner, member: objects.phoneApp, adminKey: app.http, posKey: app.http, readKey: app.http, anonymous: app.http, forged: app.http,
  };
  const client = clients[request.caller] as typeof tenant.owner;
  let req = client[op.method as 'get'](urlOf(op, request));
  if (request.caller in keys) req = req.set('Authorization', `Bearer ${keys[request.caller as keyof typeof keys]}`);
  if (request.caller === 'forged') req = req.set(request.forgedAuth.header, request.forgedAuth.value);
  if (request.idempotencyKey !== undefined) req = req.set('Idempotency-Key', request.idempotencyKey as string);
  for (const [name, value] of Object.entries(request.extraHeaders)) req = req.set(name, value);
  if (request.body) req = req.set('Content-Type', request.body.contentType).send(request.body.text);
  // Binary answers (PDF, PNG, pkpass) stay buffers; problem+json is parsed either way.
  return req.buffer(true).ok(() => true);
}

async function answersWell(op: Operation, request: FuzzRequest) {
  const res = await send(op, request);
  const counts = statuses.get(op.name) ?? statuses.set(op.name, new Map()).get(op.name)!;
  counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
  const what = `${describeRequest(op, request)} → ${res.status} ${res.text?.slice(0, 300)}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status < 400) {
    baseline = await fingerprintOf(app, tenant.id);
    return;
  }
  expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  const problem = typeof res.body === 'object' && !Buffer.isBuffer(res.body) ? res.body : JSON.parse(res.text);
  expect(problem, what).toMatchObject({ type: expect.any(String), title: expect.any(String), status: res.status });
  const changed = changedTables(baseline, await fingerprintOf(app, tenant.id));
  expect(changed, `${what}: a ${res.status} changed ${changed.join(', ')}`).toEqual([]);
}

const seedOf = (name: string) => [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, SEED);

describe('every operation of the OpenAPI document under hostile input', () => {
  it('walks a document of every route', () => {
    expect(operations.length).toBeGreaterThan(200);
  });

  for (const op of operations) {
    it(op.name, { timeout: 30_000 + RUNS * 2_000 }, async () => {
      const requests = requestsFor(op, { document, tenantId: tenant.id, objects });
      await fc.assert(fc.asyncProperty(requests, (request) => answersWell(op, request)), { seed: seedOf(op.name), numRuns: RUNS });
    });
  }
});

describe('defects the fuzzer found, kept as fixed cases', () => {
  const post = (body: string, headers: Record<string, string> = {}) => {
    let req = tenant.owner.post('/api/v1/stores').set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req.send(body);
  };

  it('answers a body of arrays nested 100,000 deep with 400, not a stack overflow (500)', async () => {
    const res = await post('['.repeat(100_000) + ']'.repeat(100_000));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const nested = await post(`{"code":"S1","name":"x","region":${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}}`);
    expect(nested.status, nested.text.slice(0, 300)).toBe(400);
    expect(nested.body.errors[0]).toMatchObject({ message: 'Must not contain NUL characters' });
  });

  it('answers a body that is not the gzip or deflate its Content-Encoding claims with 400, not 500', async () => {
    for (const [encoding, body] of [['gzip', '{"code":"S1","name":"x"}'], ['gzip', ''], ['deflate', '{}']]) {
      const res = await post(body, { 'Content-Encoding': encoding });
      expect(res.status, `${encoding} ${body}`).toBe(400);
      expect(res.body).toMatchObject({ status: 400, errors: [{ path: 'body' }] });
    }
    expect((await post('{}', { 'Content-Encoding': 'br, zstd' })).status).toBe(415);
  });

  it('answers an empty object as the body of every operation that takes JSON without a 5xx (PATCH /settings/automations was a 500)', async () => {
    const failed: string[] = [];
    for (const op of operations.filter((o) => o.body?.contentType === 'application/json')) {
      const request = { caller: op.security.includes('session') ? 'owner' : op.security.includes('memberSession') ? 'member' : 'anonymous', forgedAuth: { header: '', value: '' },
        path: Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, objects.idFor(op.path, p.name) ?? 'email'])),
        query: [], idempotencyKey: `empty-${op.name}`, extraHeaders: {}, body: { text: '{}', contentType: 'application/json' } } satisfies FuzzRequest;
      const res = await send(op, request);
      if (res.status >= 500) failed.push(`${op.name} → ${res.status}`);
    }
    expect(failed).toEqual([]);
  });
});
