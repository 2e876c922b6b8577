import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';

// The real server (api/src/main.ts) serving HTTPS itself with a certificate made here by openssl:
// the security headers reach the web apps too, HSTS only now that it speaks TLS, and its logs are
// JSON lines. (test/e2e/till-https.test.ts drives the till over the same set-up in a browser.)

let dir: string;
let cert: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kartu-tls-api-'));
  cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', key, '-out', cert,
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { encoding: 'utf8' });
  expect(made.status, `openssl: ${made.error ?? made.stderr}`).toBe(0);
  server = await startServer({ KARTU_TLS_CERT: cert, KARTU_TLS_KEY: key, KARTU_DEMO: 'off', LOG_LEVEL: 'info', KARTU_SINGUP: 'on' });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GET over HTTPS trusting only the server's own certificate. */
function getTrusting(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { ca: readFileSync(cert) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

it('sends HSTS and the security headers over its own TLS, on the API and the web apps; only the join form may be framed elsewhere', async () => {
  expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
  const api = await getTrusting('/api/health');
  expect(api.status).toBe(200);
  expect(api.headers).toMatchObject({ 'strict-transport-security': 'max-age=15552000', 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });

  for (const path of ['/portal/login', '/app/', '/']) {
    const page = await getTrusting(path);
    expect(page.headers, path).toMatchObject({
      'strict-transport-security': 'max-age=15552000', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin',
      'x-frame-options': 'SAMEORIGIN', 'content-security-policy': "frame-ancestors 'self'",
    });
  }
  const join = await getTrusting('/app/toko-demo/join?embed=1');
  expect(join.headers['x-frame-options']).toBeUndefined();
  expect(join.headers['content-security-policy']).toBeUndefined();
  expect(join.headers['strict-transport-security']).toBe('max-age=15552000');
});

it('writes JSON log lines, one per API request, and warns about a KARTU_ variable it does not know', async () => {
  await getTrusting('/api/v1/public/tenants/no-such-shop');
  // The child's output arrives through a pipe, not always before the answer.
  const lines = () => server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  await expect.poll(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', route: '/api/v1/public/tenants/{slug}', status: 404, requestId: expect.any(String) }));
  expect(lines()).toContainEqual(expect.objectContaining({ level: 40, variable: 'KARTU_SINGUP' }));
});
