import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Locator } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
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

/** Prices the cart in a preview section (the draft's in the form, the saved promotions' on the list) as a Gold member, online, mid-December. */
async function priceCart(preview: Locator, memberName: string) {
  await preview.getByTestId('promo-preview-sku').fill('KOPI-1K');
  await preview.getByTestId('promo-preview-qty').fill('2');
  await preview.getByTestId('promo-preview-price').fill('80.000');
  await preview.getByTestId('promo-preview-fee').fill('25.000');
  await preview.locator('#promo-preview-channel').selectOption('online');
  await preview.locator('#promo-preview-at').fill('2026-12-15T12:00');
  await preview.locator('#promo-preview-member').fill(memberName);
  await preview.locator('#promo-preview-member').press('Enter');
  await preview.locator('.found button', { hasText: memberName }).click();
  await preview.getByTestId('promo-preview-submit').click();
  // Rp 160.000 of goods (over the Rp 150.000 minimum) + ongkir Rp 25.000, of which Rp 20.000 (the cap) is waived.
  await expect.poll(() => preview.getByTestId('promo-preview-total').textContent()).toBe('Rp 165.000');
  expect(await preview.getByTestId('promo-preview-shipping-discount').textContent()).toMatch(
    /^\s*Potongan ongkir: Gratis ongkir Desember\s*−Rp 20\.000\s*$/,
  );
}

it('a marketer builds a promotion on a phone-sized screen, reads it in words, prices it before saving, and prices a cart', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Promo ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `promo-${id}` });
  await apiPost('/api/v1/tiers', { code: 'gold', name: 'Gold', rank: 1, minQualifying: 100_000_000, earnMultiplier: 1 });
  const email = `marketer-${id}@e2e.kartu`;
  await apiPost('/api/v1/staff', { email, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  // A member whose shopping (Rp 1.000.000) made her Gold.
  const member = await apiPost('/api/v1/members', { name: 'Sari Emas', phone: newPhone() });
  const qualifying = await apiPost(
    '/api/v1/transactions',
    { memberId: member.id, receiptNo: `EMAS-${id}`, items: [{ sku: 'TAS', quantity: 1, unitPrice: 100_000_000 }] },
    { 'Idempotency-Key': randomUUID() },
  );
  expect(qualifying.tier).toMatchObject({ code: 'gold' });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  // The menu groups the program screens under one section.
  await page.getByRole('button', { name: 'Program', exact: true }).click();
  await page.getByRole('navigation').first().waitFor();
  await page.goto(`${server.url}/portal/programs/promotions`);
  await page.getByTestId('new-promotion').click();

  await page.getByTestId('promo-name').fill('Gratis ongkir Desember');
  await page.getByTestId('promo-cap').fill('20.000');
  await page.getByTestId('promo-starts').fill('2026-12-01T00:00');
  await page.getByTestId('promo-ends').fill('2026-12-31T23:59');
  await page.getByTestId('promo-min-spend').fill('150.000');
  await page.getByLabel('Gold').check();
  await page.getByLabel('Online').check();
  await expect.poll(() => page.getByTestId('promo-summary').textContent()).toMatch(
    /^Gratis ongkir hingga Rp 20\.000 untuk member Gold, pesanan online min\. belanja Rp 150\.000, 1–31 Des( 2026)?$/,
  );
  // Nothing on the form is wider than the screen.
  expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(360);

  // The API's own check shows at its field: bonus points above what any promotion may give pass the
  // browser's checks, go to the API, and its refusal shows at the points field.
  await page.getByTestId('promo-type-bonus_points').check();
  await page.getByTestId('promo-points').fill('2.000.000.000');
  const refused = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/promotions' && res.request().method() === 'POST');
  await page.getByTestId('promo-save').click();
  expect((await refused).status()).toBe(400);
  await expect.poll(() => page.locator('#promo-points-error').textContent()).toBeTruthy();
  expect(await page.getByTestId('promo-points').getAttribute('aria-invalid')).toBe('true');
  await page.getByTestId('promo-type-free_shipping').check();

  // The draft prices a cart before it is saved; nothing is saved by that.
  await priceCart(page.getByTestId('promo-draft-preview'), 'Sari Emas');
  expect((await (await owner.get('/api/v1/promotions')).json()).items).toEqual([]);
  expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(360);

  await page.getByTestId('promo-save').click();
  await page.getByTestId('promotions-table').getByText('Gratis ongkir Desember').waitFor();
  const rows = await (await owner.get('/api/v1/promotions')).json();
  expect(rows.items).toHaveLength(1);
  expect(rows.items[0]).toMatchObject({
    name: 'Gratis ongkir Desember', startsAt: '2026-11-30T17:00:00.000Z', endsAt: expect.stringMatching(/^2026-12-31T16:59:59(\.\d{3})?Z$/),
    conditions: { minSpend: 15_000_000, tiers: ['gold'], channels: ['online'] }, effect: { type: 'free_shipping', maxDiscount: 2_000_000 },
  });

  await page.getByRole('button', { name: 'Jeda Gratis ongkir Desember' }).click();
  await page.getByRole('button', { name: 'Lanjutkan Gratis ongkir Desember' }).click();
  await page.getByRole('button', { name: 'Jeda Gratis ongkir Desember' }).waitFor();

  // Saved and active: the list's cart gets the same free shipping.
  await priceCart(page.getByTestId('promo-preview'), 'Sari Emas');
  expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(360);
  await context.close();
});
