import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let dir: string;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  dir = mkdtempSync(join(tmpdir(), 'kartu-wallet-e2e-'));
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

/** A phone-sized portal page signed in as the given staff member. */
async function signedInPortal(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  await page.getByTestId('staff-name').waitFor();
  return page;
}

const keyShownInAField = (page: Page) =>
  page.locator('input, textarea').evaluateAll((fields) => fields.some((field) => (field as unknown as { value: string }).value.includes('PRIVATE KEY')));

it('an owner uploads a Google service-account key file, sees it configured without the key, and removes it; a cashier has no wallet link', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Wallet ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `w-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'JKT', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = `wallet-${id}@kartu-e2e.iam.gserviceaccount.com`;
  const keyFile = join(dir, 'service-account.json');
  writeFileSync(
    keyFile,
    JSON.stringify({ type: 'service_account', private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email }),
  );

  const page = await signedInPortal(`owner-${id}@e2e.kartu`);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('link', { name: 'Wallets' }).click();
  await page.waitForURL(/\/portal\/settings\/wallets$/);
  await expect.poll(() => page.getByTestId('google-state').textContent()).toContain('Not set up');
  await expect.poll(() => page.getByTestId('apple-state').textContent()).toContain('Not set up');

  // A pasted file that is not a key: the API's message shows at the key field, nothing is stored.
  await page.getByTestId('google-issuer-id').fill('3388000000022222222');
  await page.getByTestId('google-key').fill('{"type": "service_account"}');
  await page.getByTestId('google-save').click();
  await expect.poll(() => page.locator('#google-key-error').textContent()).toContain('client_email');
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Check the fields');
  expect((await (await owner.get('/api/v1/settings/wallets')).json()).google).toBeNull();

  await page.getByTestId('google-key-file').setInputFiles(keyFile);
  await expect.poll(() => page.getByTestId('google-key-loaded').textContent()).toContain('service-account.json');
  expect(await keyShownInAField(page)).toBe(false);
  await page.getByTestId('google-save').click();
  await expect.poll(() => page.getByTestId('google-current-email').textContent()).toBe(email);
  expect(await page.getByTestId('google-state').textContent()).toContain('Set up');
  expect(await page.getByTestId('google-current-issuer').textContent()).toBe('3388000000022222222');
  // The key is gone from the form, not shown back, and the page fits a 360 px phone.
  expect(await page.getByTestId('google-key').inputValue()).toBe('');
  expect(await page.getByTestId('google-key-file').inputValue()).toBe('');
  expect(await keyShownInAField(page)).toBe(false);
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(360);
  expect((await (await owner.get('/api/v1/settings/wallets')).json()).google).toMatchObject({ issuerId: '3388000000022222222', serviceAccountEmail: email });

  let asked = '';
  page.once('dialog', (dialog) => {
    asked = `${dialog.type()}: ${dialog.message()}`;
    void dialog.accept();
  });
  await page.getByTestId('google-remove').click();
  await expect.poll(() => page.getByTestId('google-state').textContent()).toContain('Not set up');
  expect(asked).toMatch(/^confirm: .*Google/);
  expect((await (await owner.get('/api/v1/settings/wallets')).json()).google).toBeNull();
  const audited = async (action: string) => (await (await owner.get(`/api/v1/audit?action=${action}`)).json()).items;
  expect((await audited('settings.wallets.google.updated'))[0].details).toMatchObject({ issuerId: '3388000000022222222', serviceAccountEmail: email });
  expect(JSON.stringify(await audited('settings.wallets.google.updated'))).not.toContain('PRIVATE KEY');
  expect(await audited('settings.wallets.google.removed')).toHaveLength(1);
  await page.context().close();

  const cashier = await signedInPortal(`kasir-${id}@e2e.kartu`);
  expect(await cashier.getByRole('navigation').getByRole('link').count()).toBeGreaterThan(0);
  expect(await cashier.locator('a[href$="/settings/wallets"]').count()).toBe(0);
  await cashier.context().close();
});
