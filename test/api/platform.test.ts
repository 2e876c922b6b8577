import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';

describe('GET /api/health', () => {
  it('answers ok and names the database driver in use', async () => {
    const res = await app.http.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toEqual({ status: 'ok', database: process.env.DATABASE_URL ? 'postgres' : 'pglite' });
  });
});

describe('GET /api/openapi.json', () => {
  // Every call of API.md that the API has today, with its method.
  const contract: [string, string][] = [
    ['post', '/api/v1/signup'],
    ['post', '/api/v1/auth/login'],
    ['post', '/api/v1/auth/logout'],
    ['post', '/api/v1/api-keys'],
    ['post', '/api/v1/stores'],
    ['post', '/api/v1/staff'],
    ['post', '/api/v1/members'],
    ['get', '/api/v1/members'],
    ['get', '/api/v1/members/{id}'],
    ['post', '/api/v1/scan'],
    ['get', '/api/v1/members/{id}/card.pdf'],
    ['post', '/api/v1/transactions'],
    ['get', '/api/v1/members/{id}/points'],
    ['post', '/api/v1/members/{id}/points/redemptions'],
    ['post', '/api/v1/members/{id}/points/adjustments'],
  ];

  it('is an OpenAPI 3.1 document', async () => {
    const res = await app.http.get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body.openapi).toMatch(/^3\.1\.\d+$/);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(res.body.components.schemas.Problem).toBeDefined();
  });

  it.each(contract)('documents %s %s', async (method, path) => {
    const { body } = await app.http.get('/api/openapi.json');
    expect(Object.keys(body.paths)).toContain(path);
    expect(body.paths[path][method], `${method} ${path}`).toMatchObject({ summary: expect.any(String), responses: expect.any(Object) });
  });

  it('documents the required Idempotency-Key header on POST /api/v1/transactions', async () => {
    const { body } = await app.http.get('/api/openapi.json');
    type Parameter = { in: string; name: string; required?: boolean; schema: Record<string, unknown> };
    // Kept once in components.parameters, referenced by each operation.
    const parameters = (body.paths['/api/v1/transactions'].post.parameters as (Parameter | { $ref: string })[])
      .map((p) => ('$ref' in p ? body.components.parameters[p.$ref.split('/').pop()!] as Parameter : p));
    const header = parameters.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    expect(header).toMatchObject({ required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } });
  });

  it('documents path parameters of every templated path', async () => {
    const { body } = await app.http.get('/api/openapi.json');
    for (const [path, operations] of Object.entries(body.paths as Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(operations)) {
        const documented = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(documented.sort(), `${method} ${path}`).toEqual([...names].sort());
      }
    }
  });
});

describe('GET /api/docs', () => {
  it('serves a readable HTML page that loads the OpenAPI document', async () => {
    const page = await app.http.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toMatch(/^<!doctype html>/i);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await app.http.get(src);
      expect(script.status, src).toBe(200);
    }
    const init = await app.http.get('/api/docs/init.js');
    expect(init.text).toContain('/api/openapi.json');
  });
});

describe('errors outside the routes', () => {
  it('answers an unknown /api path with a 404 problem', async () => {
    const res = await app.http.get('/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', title: 'Not found', type: expect.stringMatching(/not-found$/) });
  });

  it('refuses a POST body that is not JSON with 415, and signs nobody up', async () => {
    const slug = `t-${Date.now().toString(36)}`;
    const res = await app.http
      .post('/api/v1/signup')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`retailerName=Toko&email=${slug}@test.kartu&password=${PASSWORD}&slug=${slug}`);
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('unsupported_media_type');
    expect((await app.http.get(`/api/v1/public/tenants/${slug}`)).status).toBe(404);
  });

  it('refuses a non-JSON body sent chunked (no Content-Length) with 415 as well, and signs nobody up', async () => {
    const slug = `t-${Date.now().toString(36)}`;
    const req = app.http.post('/api/v1/signup').set('Content-Type', 'text/plain');
    req.write(`retailerName=Toko&email=${slug}@test.kartu&password=${PASSWORD}&slug=${slug}`);
    const res = await req;
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('unsupported_media_type');
    expect((await app.http.get(`/api/v1/public/tenants/${slug}`)).status).toBe(404);
  });

  it('answers a method a known path does not have with a 405 problem and an Allow header', async () => {
    const res = await app.http.delete('/api/v1/members');
    expect(res.status).toBe(405);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body).toMatchObject({ status: 405, code: expect.any(String), title: expect.any(String) });
    expect(res.headers.allow.split(/,\s*/).sort()).toEqual(expect.arrayContaining(['GET', 'POST']));
  });

  it('refuses invalid JSON with 400 naming the body, and signs nobody up', async () => {
    const slug = `t-${Date.now().toString(36)}`;
    const res = await app.http
      .post('/api/v1/signup')
      .set('Content-Type', 'application/json')
      .send(`{"retailerName": "Toko", "email": "${slug}@test.kartu", "password": "${PASSWORD}", "slug": "${slug}"`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.code).toBe('validation');
    expect(res.body.errors).toEqual([{ path: 'body', message: 'Invalid JSON' }]);
    expect((await app.http.get(`/api/v1/public/tenants/${slug}`)).status).toBe(404);
  });

  it('names every required field of a POST sent without a body', async () => {
    const res = await app.http.post('/api/v1/auth/login');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.password']);
  });
});
