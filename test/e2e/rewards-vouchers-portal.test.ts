import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { noisePng } from '../support/images.ts';
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

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-name').waitFor();
  return page;
}

const fitsThePhone = (page: Page) => page.locator('html').evaluate((el) => el.scrollWidth);

it('a marketer on a phone makes a reward, generates 5 codes, downloads them and looks one up; a cashier can look it up too', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Hadiah ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `hadiah-${id}` });
  await apiPost('/api/v1/tiers', { code: 'gold', name: 'Gold', rank: 1, minQualifying: 100_000_000, earnMultiplier: 1 });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  await apiPost('/api/v1/staff', { email: `cashier-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });

  const page = await signIn(`marketer-${id}@e2e.kartu`);

  // A reward: Rp 20.000 off for 500 points, 10 in stock, Gold only, with a picture.
  // The menu groups the program screens under one section.
  await page.getByRole('button', { name: 'Program', exact: true }).click();
  await page.getByRole('link', { name: 'Hadiah', exact: true }).click();
  await page.getByTestId('new-reward').click();
  await page.getByTestId('reward-name').fill('Voucher Rp 20.000');
  await page.getByTestId('reward-points').fill('500');
  await page.getByTestId('reward-amount').fill('20.000');
  await page.getByTestId('reward-min-spend').fill('100.000');
  await expect.poll(() => page.getByTestId('reward-voucher-summary').textContent()).toBe(
    'Potongan Rp 20.000, min. belanja Rp 100.000 · berlaku 30 hari',
  );
  await page.getByTestId('reward-stock').fill('10');
  await page.getByLabel('Gold').check();
  await page.getByTestId('reward-image-file').setInputFiles({ name: 'hadiah.png', mimeType: 'image/png', buffer: noisePng(96, 96) });
  await page.getByTestId('reward-image-preview').waitFor();
  expect(await fitsThePhone(page)).toBeLessThanOrEqual(360);
  await page.getByTestId('reward-save').click();

  await page.getByTestId('rewards-table').getByText('Voucher Rp 20.000').waitFor();
  const rewards = await (await owner.get('/api/v1/rewards')).json();
  expect(rewards.items).toHaveLength(1);
  expect(rewards.items[0]).toMatchObject({
    name: 'Voucher Rp 20.000', pointsCost: 500, stock: 10, tiers: ['gold'], fulfilment: 'voucher', perMemberLimit: null,
    voucher: { kind: 'amount', value: 2_000_000, minSpend: 10_000_000, validDays: 30 },
  });
  expect(rewards.items[0].imageUrl).toMatch(/\/rewards\/.+\/image\?v=\d+$/);

  // Five single-use codes of Rp 10.000 off, valid until the end of next year.
  await page.getByRole('button', { name: 'Program', exact: true }).click();
  await page.getByRole('link', { name: 'Voucher', exact: true }).click();
  await page.getByTestId('new-batch').click();
  await page.getByTestId('batch-name').fill('Brosur Desember');
  await page.getByTestId('batch-count').fill('5');
  await page.getByTestId('batch-amount').fill('10.000');
  await page.getByTestId('batch-expires').fill(`${new Date().getFullYear() + 1}-12-31T23:59`);
  expect(await fitsThePhone(page)).toBeLessThanOrEqual(360);
  await page.getByTestId('batch-generate').click();
  await expect.poll(() => page.getByTestId('batch-issued').textContent()).toBe('5');
  expect(await page.getByTestId('batch-used').textContent()).toBe('0');

  // The download link is a plain link to the API; the session cookie is what lets it through.
  const csvPath = await page.getByTestId('batch-csv').getAttribute('href');
  const csv = await page.request.get(`${server.url}${csvPath}`);
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trim().split(/\r\n/);
  expect(lines[0]).toBe('code,uses,max_uses,member_id,expires_at');
  const codes = lines.slice(1).map((line) => line.split(',')[0]);
  expect(codes).toHaveLength(5);
  expect(new Set(codes).size).toBe(5);
  for (const line of lines.slice(1)) expect(line).toMatch(/^[0-9A-HJKMNP-TV-Z]{10},0,1,,\d{4}-/);

  // Typed the way a customer reads it out: lower case, with a hyphen.
  await page.getByRole('button', { name: 'Program', exact: true }).click();
  await page.getByRole('link', { name: 'Voucher', exact: true }).click();
  await page.getByTestId('voucher-lookup-code').fill(`${codes[0].slice(0, 5).toLowerCase()}-${codes[0].slice(5)}`);
  await page.getByTestId('voucher-lookup-submit').click();
  await expect.poll(() => page.getByTestId('lookup-status').textContent()).toBe('Aktif');
  expect((await page.getByTestId('lookup-uses').textContent())?.trim()).toBe('Dipakai 0 dari 1');
  await page.getByTestId('lookup-no-redemptions').waitFor();
  expect(await fitsThePhone(page)).toBeLessThanOrEqual(360);
  await page.context().close();

  // The look-up needs members.read only: a cashier reaches it although the other program pages are not theirs.
  const till = await signIn(`cashier-${id}@e2e.kartu`);
  await till.getByRole('link', { name: 'Cek voucher', exact: true }).click();
  await till.getByTestId('voucher-lookup-code').fill(codes[1]);
  await till.getByTestId('voucher-lookup-submit').click();
  await expect.poll(() => till.getByTestId('lookup-status').textContent()).toBe('Aktif');
  await till.context().close();
});
