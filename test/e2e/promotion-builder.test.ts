import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
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

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

it('a marketer builds a promotion on a phone-sized screen, reads it in words, and prices a cart', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Promo ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `promo-${id}` });
  await apiPost('/api/v1/tiers', { code: 'gold', name: 'Gold', rank: 1, minQualifying: 100_000_000, earnMultiplier: 1 });
  const email = `marketer-${id}@e2e.kartu`;
  await apiPost('/api/v1/staff', { email, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByRole('link', { name: 'Promo', exact: true }).click();
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

  // The API's own check shows at its field: a multiplier of 1 is refused.
  await page.getByTestId('promo-type-bonus_points').check();
  await page.getByTestId('promo-multiplier').fill('1');
  await page.getByTestId('promo-save').click();
  await expect.poll(() => page.locator('#promo-multiplier-error').textContent()).toBeTruthy();
  await page.getByTestId('promo-type-free_shipping').check();
  await page.getByTestId('promo-save').click();

  await page.getByTestId('promotions-table').getByText('Gratis ongkir Desember').waitFor();
  const rows = await (await owner.get('/api/v1/promotions')).json();
  expect(rows.items).toHaveLength(1);
  expect(rows.items[0]).toMatchObject({
    name: 'Gratis ongkir Desember', startsAt: '2026-11-30T17:00:00.000Z', endsAt: '2026-12-31T16:59:59.000Z',
    conditions: { minSpend: 15_000_000, tiers: ['gold'], channels: ['online'] }, effect: { type: 'free_shipping', maxDiscount: 2_000_000 },
  });

  await page.getByRole('button', { name: 'Jeda Gratis ongkir Desember' }).click();
  await page.getByRole('button', { name: 'Lanjutkan Gratis ongkir Desember' }).waitFor();

  await page.getByTestId('promo-preview-sku').fill('KOPI-1K');
  await page.getByTestId('promo-preview-qty').fill('2');
  await page.getByTestId('promo-preview-price').fill('80.000');
  await page.getByTestId('promo-preview-fee').fill('15.000');
  await page.getByTestId('promo-preview-submit').click();
  await expect.poll(() => page.getByTestId('promo-preview-total').textContent()).toBe('Rp 175.000');
  expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(360);
  await context.close();
});
