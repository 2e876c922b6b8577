import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A rating the API refuses (the purchase was voided, or rated from another phone, after the app
// listed it) is explained in the member's language at the field, not in the API's English words.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiPost(path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await owner.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

const slow = { timeout: 10_000 };

async function signInMember(page: Page, slug: string, phone: string) {
  const sent = () => codesSentTo((path) => owner.get(path), phone);
  const before = (await sent()).length;
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('phone-input').fill(phone);
  await page.getByTestId('send-code').click();
  await expect.poll(async () => (await sent()).length, slow).toBe(before + 1);
  await page.getByTestId('code-input').fill((await sent())[0]);
  await page.getByTestId('verify-code').click();
  await page.getByTestId('points-balance').waitFor();
}

it('a refused rating is explained in Bahasa Indonesia at the purchase', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const signup = await apiPost('/api/v1/signup', { retailerName: `Toko Kue ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `kue-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'BLK', name: 'Toko Blok M' });
  const phone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Sari Wulan', phone });
  const sale = await apiPost(
    '/api/v1/transactions',
    { memberId: member.id, storeId: store.id, receiptNo: `R-${id}`, items: [{ sku: 'KUE', quantity: 1, unitPrice: 3_500_000 }] },
    { 'Idempotency-Key': randomUUID() },
  );

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const app = await context.newPage();
  await signInMember(app, signup.slug, phone);
  await app.getByTestId('feedback-open').click();
  const rateForm = app.getByTestId('rate-form');
  await rateForm.waitFor();
  await app.getByRole('radio', { name: /^4 dari 5 bintang/ }).focus();
  await app.keyboard.press('ArrowLeft');
  expect(await app.getByRole('radio', { name: /^3 dari 5 bintang/ }).isChecked()).toBe(true);
  await app.getByTestId('rate-purchase').selectOption(sale.id);
  // Meanwhile the cashier voids the sale.
  await apiPost(`/api/v1/transactions/${sale.id}/void`, {}, { 'Idempotency-Key': randomUUID() });
  await app.getByTestId('rate-send').click();
  await expect.poll(() => rateForm.locator('.error').allTextContents(), slow).toContain('Pembelian ini tidak bisa dinilai: dibatalkan, lebih dari 30 hari lalu, atau bukan milik Anda.');
  expect(await rateForm.textContent()).not.toMatch(/cancelled|Invalid|purchase/i);
  await context.close();
});
