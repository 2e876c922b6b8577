import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/src/app.ts';
import { problemTypes } from '../../api/src/http/problem.ts';
import { untimed } from '../../api/src/http/long-requests.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The served OpenAPI document is valid OpenAPI 3.1 and tells an integrator, for every operation,
// the errors it can answer, how to authenticate, and the headers that make retries safe.

interface Ref {
  $ref: string;
  description?: string;
}
interface Response {
  description: string;
  content?: Record<string, { schema: { $ref?: string } }>;
  headers?: Record<string, Ref | { description: string }>;
}
interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  description?: string;
}
interface Operation {
  parameters?: (Parameter | Ref)[];
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  responses: Record<string, Response | Ref>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { description?: string; properties: Record<string, { enum?: string[] }> }>;
    securitySchemes: Record<string, unknown>;
    responses: Record<string, Response>;
    headers: Record<string, { description: string }>;
    parameters: Record<string, Parameter>;
  };
}

let app: TestApp;
let document: Document;
beforeAll(async () => {
  app = await createTestApp();
  document = (await app.http.get('/api/openapi.json')).body;
});
afterAll(() => app.close());

const operations = () =>
  Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, operation })));

/** What a $ref points at (#/components/<type>/<name>), with a description next to the $ref winning. */
function resolved<T>(item: T | Ref): T {
  if (!item || typeof item !== 'object' || !('$ref' in item)) return item as T;
  const [, , type, name] = item.$ref.split('/');
  const target = (document.components as unknown as Record<string, Record<string, T>>)[type]?.[name];
  expect(target, item.$ref).toBeDefined();
  return item.description ? { ...target, description: item.description } : target;
}

const responsesOf = (operation: Operation) =>
  Object.entries(operation.responses).map(([status, response]) => ({ status, response: resolved<Response>(response) }));

const idempotencyKeyOf = (operation: Operation) =>
  operation.parameters?.map((p) => resolved<Parameter>(p)).find((p) => p.in === 'header' && p.name === 'Idempotency-Key');

// The security schemes of the API's callers; the metrics scrape and the local tools have their own tokens.
const callerSchemes = ['apiKey', 'memberSession', 'session'];
const byCaller = (operation: Operation) => (operation.security ?? []).every((requirement) => Object.keys(requirement).every((s) => callerSchemes.includes(s)));

// API.md's (I) calls: their Idempotency-Key is required (a few calls of the member app's require one too).
const requiredKey = [
  'POST /api/v1/transactions',
  'POST /api/v1/transactions/{id}/void',
  'POST /api/v1/transactions/{id}/refunds',
  'POST /api/v1/members/{id}/claims',
  'POST /api/v1/members/{id}/points/redemptions',
  'POST /api/v1/rewards/{id}/redemptions',
  'POST /api/v1/vouchers/{code}/redemptions',
];

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1 with @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is refused by the same validator when an operation is broken (the check can fail)', async () => {
    const broken = structuredClone(document);
    delete (broken.paths['/api/v1/transactions'].post.responses['201'] as Partial<Response>).description;
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('writes every pattern as a flagless regex that accepts what the API accepts (a tag with letters of any script)', () => {
    const patterns: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') patterns.push(value);
        else collect(value);
      }
    };
    collect(document);
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    const tag = patterns.find((p) => p.includes('\\p{L}'));
    expect(tag).toBeDefined();
    expect(new RegExp(tag!, 'u').test('Pelanggan Setia')).toBe(true);
  });

  it('answers every error of every operation as application/problem+json with the shared Problem schema', () => {
    for (const { name, operation } of operations()) {
      for (const { status, response } of responsesOf(operation)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual(['application/problem+json']);
        expect(response.content!['application/problem+json'].schema.$ref, `${name} ${status}`).toBe('#/components/schemas/Problem');
      }
    }
  });

  it('names the security of every operation, and documents 401 and 403 where a caller is needed', () => {
    const schemes = Object.keys(document.components.securitySchemes);
    expect(schemes.sort()).toEqual([...callerSchemes, 'localTool', 'metricsToken'].sort());
    for (const { name, operation } of operations()) {
      expect(operation.security, name).toBeDefined();
      for (const requirement of operation.security!) expect(schemes, name).toEqual(expect.arrayContaining(Object.keys(requirement)));
      if (operation.security!.length && byCaller(operation)) expect(Object.keys(operation.responses), name).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(document.paths['/api/v1/transactions'].post.security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(document.paths['/api/v1/me'].get.security).toEqual([{ memberSession: [] }]);
    expect(document.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(document.paths['/api/metrics'].get.security).toEqual([{ metricsToken: [] }]);
    expect(Object.keys(document.paths['/api/metrics'].get.responses).sort()).toEqual(['200', '401', '404', '503']);
    expect(document.paths['/api/internal/backup'].post.security).toEqual([{ localTool: [] }]);
  });

  it('documents 404 on every path with an id, 400, 413 and 415 on every operation with a body, and 503 where the request timeout applies', () => {
    for (const { name, path, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect(statuses.includes('503'), name).toBe(!untimed(path));
      if (path.includes('{')) expect(statuses, name).toContain('404');
      if (operation.requestBody) expect(statuses, name).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
    expect(document.paths['/api/v1/members/{id}/card.pdf'].get.responses['503']).toBeUndefined();
    expect(document.paths['/api/v1/transactions'].post.responses['503']).toBeDefined();
  });

  it('takes an Idempotency-Key on every POST, required on the (I) calls, with 409 in progress and 422 mismatch where it is used', () => {
    for (const { name, method, operation } of operations()) {
      const header = idempotencyKeyOf(operation);
      if (method !== 'post' || !byCaller(operation)) {
        expect(header, name).toBeUndefined();
        continue;
      }
      expect(header, name).toMatchObject({ description: expect.any(String) });
      if (requiredKey.includes(name)) expect(header!.required, name).toBe(true);
      const used = !header!.description!.startsWith('Accepted but not used');
      if (!operation.security!.length) expect(used, `${name}: a public call has no caller to scope a key to`).toBe(false);
      if (used) {
        expect(resolved<Response>(operation.responses['409']).description, name).toContain('idempotency-in-progress');
        expect(operation.responses['422'], name).toBeDefined();
      }
    }
    // An answer that shows a secret once is never stored for a replay.
    expect(idempotencyKeyOf(document.paths['/api/v1/api-keys'].post)!.description).toMatch(/^Accepted but not used/);
    expect(idempotencyKeyOf(document.paths['/api/v1/transactions'].post)!.description).toMatch(/^Makes a retry safe/);
  });

  it('documents Retry-After on every 409, 429 and 503, and 429 on the rate-limited calls', () => {
    let checked = 0;
    for (const { name, operation } of operations()) {
      for (const { status, response } of responsesOf(operation)) {
        if (!['409', '429', '503'].includes(status)) continue;
        expect(response.headers, `${name} ${status}`).toHaveProperty('Retry-After');
        expect(resolved(response.headers!['Retry-After']), `${name} ${status}`).toMatchObject({ description: expect.stringContaining('503') });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    const limited = ['POST /api/v1/auth/login', 'POST /api/v1/scan', 'POST /api/v1/member-auth/otp', 'POST /api/v1/transactions', 'POST /api/v1/checkout/evaluate', 'POST /api/v1/vouchers/{code}/redemptions'];
    for (const name of limited) {
      const found = operations().find((o) => o.name === name);
      expect(found?.operation.responses['429'], name).toBeDefined();
    }
    expect(operations().find((o) => o.name === 'GET /api/v1/members')!.operation.responses['429']).toBeUndefined();
  });

  it('declares Idempotent-Replayed on every success of the operations that replay, and on no other', () => {
    for (const { name, operation } of operations()) {
      const replays = operation.responses['422'] !== undefined && idempotencyKeyOf(operation)?.description?.startsWith('Makes a retry safe');
      for (const { status, response } of responsesOf(operation)) {
        if (Number(status) >= 300) continue;
        expect(Boolean(response.headers?.['Idempotent-Replayed']), `${name} ${status}`).toBe(Boolean(replays));
        if (replays) expect(resolved(response.headers!['Idempotent-Replayed']).description, name).toContain('Idempotency-Key');
      }
    }
    expect(document.paths['/api/v1/transactions'].post.responses['201']).toHaveProperty('headers.Idempotent-Replayed');
  });

  it('keeps the shared responses, headers and parameters once in components, referenced by every operation', () => {
    const { responses, headers, parameters } = document.components;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['BadRequest', 'Unauthenticated', 'Forbidden', 'NotFound', 'Conflict', 'IdempotencyInProgress', 'PayloadTooLarge', 'UnsupportedMediaType', 'IdempotencyKeyMismatch', 'RateLimited', 'Timeout']));
    expect(Object.keys(headers).sort()).toEqual(['IdempotentReplayed', 'RetryAfter']);
    expect(Object.values(parameters).filter((p) => p.name === 'Idempotency-Key').length).toBeGreaterThanOrEqual(3);
    for (const { name, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400) expect(response, `${name} ${status}`).toHaveProperty('$ref', expect.stringMatching(/^#\/components\/responses\//));
        for (const shared of ['Retry-After', 'Idempotent-Replayed']) {
          const header = (response as Response).headers?.[shared];
          if (header) expect(header, `${name} ${status} ${shared}`).toHaveProperty('$ref');
        }
      }
      const key = operation.parameters?.find((p) => '$ref' in p || p.name === 'Idempotency-Key');
      if (key) expect(key, name).toHaveProperty('$ref', expect.stringMatching(/^#\/components\/parameters\//));
    }
    // Still as descriptive: an operation's own words sit next to the $ref.
    expect(document.paths['/api/v1/transactions'].post.responses['409']).toEqual({
      $ref: '#/components/responses/Conflict',
      description: expect.stringMatching(/^Receipt already posted.*; or a request with the same Idempotency-Key is still running/),
    });
    expect(document.paths['/api/v1/members/{id}'].get.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
  });

  it('lists every problem type of the error table in the Problem schema', () => {
    const problem = document.components.schemas.Problem;
    expect(problem.properties.type.enum!.sort()).toEqual([...problemTypes.map((p) => p.type), 'about:blank'].sort());
    for (const { type, code, status } of problemTypes) expect(problem.description).toContain(`| \`${type}\` | \`${code}\` | ${status} |`);
    expect(problemTypes.find((p) => p.code === 'idempotency_in_progress')).toMatchObject({ status: 409, type: expect.stringMatching(/idempotency-in-progress$/) });
  });
});

describe('routes and the document', () => {
  it('documents every route the app registers, those with their own handlers too (docs page, metrics, local tools)', () => {
    const { routes } = createApp(app.deps);
    const registered = routes.router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(operations().map((o) => o.name));
    expect(registered.filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((operation) => !registered.includes(operation))).toEqual([]);
    for (const route of ['GET /api/metrics', 'GET /api/docs', 'GET /api/docs/init.js', 'GET /api/internal/ledger/verify', 'POST /api/internal/backup']) {
      expect(registered, route).toContain(route);
    }
    expect(registered.length).toBeGreaterThan(100);
  });

  it('answers only through that router: every other middleware passes the request on', () => {
    const { app: koa, routes } = createApp(app.deps);
    // A new endpoint made with app.use() instead of the router would add a middleware here. The names
    // are those of app.ts's middleware (CORS answers preflights only).
    const allowedMethods = routes.router.allowedMethods().toString();
    const names = koa.middleware.map((fn) => ('router' in fn && fn.router === routes.router ? 'router' : fn.toString() === allowedMethods ? 'allowedMethods' : fn.name));
    expect(names).toEqual(['requestEnvelope', 'cors', 'timeLimit', 'jsonBodiesOnly', 'bodyParser', 'router', 'allowedMethods']);
  });

  it('serves each documented docs file with the documented content type', async () => {
    for (const path of Object.keys(document.paths).filter((p) => p.startsWith('/api/docs'))) {
      const res = await app.http.get(path).expect(200);
      const [contentType] = Object.keys((document.paths[path].get.responses['200'] as Response).content!);
      expect(res.headers['content-type'], path).toContain(contentType);
    }
    await app.http.get('/api/docs/assets/package.json').expect(404);
  });
});
