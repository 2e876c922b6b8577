import { spawnSync } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The README's recipe for the shop network: a certificate made with openssl, KARTU_TLS_CERT and
// KARTU_TLS_KEY, and the server speaks HTTPS itself; a tablet that trusts the certificate opens the
// till under the shop's name on a secure origin, so the camera can be used.

const NAME = 'kasir.toko.test';
let dir: string;
let cert: string;
let server: RunningServer;
let owner: APIRequestContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kartu-tls-'));
  cert = join(dir, 'kartu.pem');
  const key = join(dir, 'kartu-key.pem');
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', key, '-out', cert,
    '-subj', `/CN=${NAME}`, '-addext', `subjectAltName=DNS:${NAME},DNS:localhost,IP:127.0.0.1`,
  ], { encoding: 'utf8' });
  expect(made.status, `openssl: ${made.error ?? made.stderr}`).toBe(0);
  server = await startServer({ KARTU_TLS_CERT: cert, KARTU_TLS_KEY: key, KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  owner = await playwrightRequest.newContext({ baseURL: server.url, ignoreHTTPSErrors: true });
});

afterAll(async () => {
  await owner?.dispose();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GET over HTTPS, trusting only the server's own certificate (as a tablet that installed it does). */
function getTrusting(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca: readFileSync(cert) }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

it('serves HTTPS with KARTU_TLS_CERT and KARTU_TLS_KEY, secure cookies included, and the till gets the camera under the shop’s name', async () => {
  expect(server.url).toMatch(/^https:\/\/localhost:\d+$/);
  const health = await getTrusting(`${server.url}/api/health`);
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body).status).toBe('ok');

  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const signup = await owner.post('/api/v1/signup', { data: { retailerName: `Toko TLS ${id}`, email: `owner-${id}@tls.kartu`, password: PASSWORD, slug: `tls-${id}` } });
  expect(signup.status(), await signup.text()).toBe(201);
  expect(signup.headers()['set-cookie']).toMatch(/;\s*Secure/i);
  const store = await (await owner.post('/api/v1/stores', { data: { code: 'DPS', name: 'Toko Denpasar' } })).json();
  const staff = await owner.post('/api/v1/staff', { data: { email: `kasir-${id}@tls.kartu`, name: 'Bli Kasir', role: 'cashier', password: PASSWORD, storeId: store.id } });
  expect(staff.status(), await staff.text()).toBe(201);

  // Chromium trusts this one certificate (by its public key) and resolves the shop's name to the server.
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  const browser = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`,
    `--host-resolver-rules=MAP ${NAME} 127.0.0.1`,
  ]);
  try {
    const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 768 } })).newPage();
    await page.goto(`https://${NAME}:${new URL(server.url).port}/portal/login`);
    await page.getByTestId('login-email').fill(`kasir-${id}@tls.kartu`);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/portal\/till/);
    expect(await page.evaluate('window.isSecureContext')).toBe(true);
    await page.getByTestId('camera-open').click();
    await page.getByRole('status').filter({ hasText: 'Hold the member’s QR code' }).waitFor();
    expect(await page.getByTestId('camera-problem').count()).toBe(0);
    await page.getByTestId('camera-close').click();
  } finally {
    await browser.close();
  }
});
