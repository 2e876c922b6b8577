import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/src/app.ts';
import { problemTypes } from '../../api/src/http/problem.ts';
import { untimed } from '../../api/src/http/long-requests.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The served OpenAPI document is valid OpenAPI 3.1 and tells an integrator, for every operation,
// the errors it can answer, how to authenticate, and the headers that make retries safe.

interface Response {
  description: string;
  content?: Record<string, { schema: { $ref?: string } }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  parameters?: { in: string; name: string; required?: boolean; description?: string }[];
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { description?: string; properties: Record<string, { enum?: string[] }> }>; securitySchemes: Record<string, unknown> };
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

const idempotencyKeyOf = (operation: Operation) => operation.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');

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

  it('answers every error of every operation as application/problem+json with the shared Problem schema', () => {
    for (const { name, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual(['application/problem+json']);
        expect(response.content!['application/problem+json'].schema.$ref, `${name} ${status}`).toBe('#/components/schemas/Problem');
      }
    }
  });

  it('names the security of every operation, and documents 401 and 403 where a caller is needed', () => {
    const schemes = Object.keys(document.components.securitySchemes);
    expect(schemes.sort()).toEqual(['apiKey', 'memberSession', 'session']);
    for (const { name, operation } of operations()) {
      expect(operation.security, name).toBeDefined();
      for (const requirement of operation.security!) expect(schemes, name).toEqual(expect.arrayContaining(Object.keys(requirement)));
      if (operation.security!.length) expect(Object.keys(operation.responses), name).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(document.paths['/api/v1/transactions'].post.security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(document.paths['/api/v1/me'].get.security).toEqual([{ memberSession: [] }]);
    expect(document.paths['/api/v1/auth/login'].post.security).toEqual([]);
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
      if (method !== 'post') {
        expect(header, name).toBeUndefined();
        continue;
      }
      expect(header, name).toMatchObject({ description: expect.any(String) });
      if (requiredKey.includes(name)) expect(header!.required, name).toBe(true);
      const used = !header!.description!.startsWith('Accepted but not used');
      if (!operation.security!.length) expect(used, `${name}: a public call has no caller to scope a key to`).toBe(false);
      if (used) {
        expect(operation.responses['409'].description, name).toContain('idempotency-in-progress');
        expect(operation.responses['422'], name).toBeDefined();
      }
    }
    // An answer that shows a secret once is never stored for a replay.
    expect(idempotencyKeyOf(document.paths['/api/v1/api-keys'].post)!.description).toMatch(/^Accepted but not used/);
    expect(idempotencyKeyOf(document.paths['/api/v1/transactions'].post)!.description).toMatch(/^Makes a retry safe/);
  });

  it('documents Retry-After on every 429 and 409, and 429 on the rate-limited calls', () => {
    for (const { name, operation } of operations()) {
      for (const status of ['409', '429']) {
        if (operation.responses[status]) expect(operation.responses[status].headers, `${name} ${status}`).toHaveProperty('Retry-After');
      }
    }
    const limited = ['POST /api/v1/auth/login', 'POST /api/v1/scan', 'POST /api/v1/member-auth/otp', 'POST /api/v1/transactions', 'POST /api/v1/checkout/evaluate', 'POST /api/v1/vouchers/{code}/redemptions'];
    for (const name of limited) {
      const found = operations().find((o) => o.name === name);
      expect(found?.operation.responses['429'], name).toBeDefined();
    }
    expect(operations().find((o) => o.name === 'GET /api/v1/members')!.operation.responses['429']).toBeUndefined();
  });

  it('lists every problem type of the error table in the Problem schema', () => {
    const problem = document.components.schemas.Problem;
    expect(problem.properties.type.enum!.sort()).toEqual([...problemTypes.map((p) => p.type), 'about:blank'].sort());
    for (const { type, code, status } of problemTypes) expect(problem.description).toContain(`| \`${type}\` | \`${code}\` | ${status} |`);
    expect(problemTypes.find((p) => p.code === 'idempotency_in_progress')).toMatchObject({ status: 409, type: expect.stringMatching(/idempotency-in-progress$/) });
  });
});

describe('routes and the document', () => {
  // Pages for people and local tools, not API calls: the docs page and its assets, the command-line
  // tools' loopback-only endpoints, and the operators' Prometheus scrape.
  const undocumented = ['GET /api/docs', 'GET /api/docs/init.js', 'GET /api/docs/assets/{file}', 'GET /api/metrics'];

  it('documents every route the app registers', () => {
    const { routes } = createApp(app.deps);
    const registered = routes.router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`));
    const documented = new Set(operations().map((o) => o.name));
    const missing = registered.filter((route) => !documented.has(route) && !undocumented.includes(route) && !route.includes(' /api/internal/'));
    expect(missing).toEqual([]);
    expect(registered.length).toBeGreaterThan(100);
  });
});
