import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Review of the till's unconfirmed sale: two tabs of one till (same cashier, same browser) share the
// kept sale; a sale posted in one tab must not wipe the other tab's unconfirmed sale.

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

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** A new retailer, store, cashier and member; the till signed in with the member's card number typed and a sale of Rp 150.000 worked out. */
async function saleReady() {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  await apiPost('/api/v1/signup', { retailerName: `Toko Retry ${id}`, email: `owner-${id}@retry.kartu`, password: PASSWORD, slug: `r-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'MDN', name: 'Toko Medan' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@retry.kartu`, name: 'Bang Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const member = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone: newPhone() });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(`kasir-${id}@retry.kartu`);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/portal\/till/);
  await page.getByTestId('scan-input').fill(member.cardNumber);
  await page.getByTestId('scan-input').press('Enter');
  await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Dewi Lestari');
  const receiptNo = `R-${id}`;
  await page.getByTestId('receipt-input').fill(receiptNo);
  await page.getByTestId('total-input').fill('150.000');
  await page.getByTestId('total-input').press('Enter');
  await expect.poll(() => page.getByTestId('evaluated-total').textContent(), { timeout: 10_000 }).toBe('Rp 150.000');
  return { page, store, member, receiptNo };
}

/** The sales the server has for the receipt, as the owner looks them up. */
async function salesOf(storeId: string, receiptNo: string) {
  const found = await apiGet(`/api/v1/transactions?storeId=${storeId}&receiptNo=${encodeURIComponent(receiptNo)}`);
  return found.items as { id: string; total: number; pointsEarned: number }[];
}

/** Fails POST /api/v1/transactions the way `failures` say, in turn; later tries go through. Returns the keys sent. */
async function failSales(page: Page, failures: ('lost_before' | 'lost_after')[]) {
  const keys: string[] = [];
  await page.route('**/api/v1/transactions', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    const failure = failures.shift();
    if (failure === 'lost_before') return route.abort('internetdisconnected');
    if (failure === 'lost_after') {
      // The server posts the sale, but its answer never reaches the till.
      await route.fetch();
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  return keys;
}

const pendingKept = (page: Page) =>
  page.evaluate<number>(`Object.keys(localStorage).filter((key) => key.startsWith('kartu.till.pendingSale.')).length`);

it('two tabs of one till: a sale posted in the second tab does not lose the first tab’s unconfirmed sale', async () => {
  const { page, store, member, receiptNo } = await saleReady();
  // A second tab of the same till, opened before the first tab's sale fails.
  const second = await page.context().newPage();
  await second.goto(`${server.url}/portal/till`);
  await second.getByTestId('scan-input').waitFor();

  const keys = await failSales(page, ['lost_before']);
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-unconfirmed').waitFor();
  expect(await pendingKept(page)).toBe(1);

  // The second tab takes the next customer's sale.
  await second.getByTestId('scan-input').fill(member.cardNumber);
  await second.getByTestId('scan-input').press('Enter');
  await expect.poll(() => second.getByTestId('member-name').textContent()).toBe('Dewi Lestari');
  await second.getByTestId('receipt-input').fill(`${receiptNo}-2`);
  await second.getByTestId('total-input').fill('50.000');
  await second.getByTestId('total-input').press('Enter');
  await expect.poll(() => second.getByTestId('evaluated-total').textContent(), { timeout: 10_000 }).toBe('Rp 50.000');
  await second.getByTestId('post-sale').click();
  // It is shown the first tab's unconfirmed sale instead of leaving it unsaved.
  await second.getByTestId('sale-unconfirmed').waitFor();
  expect(await second.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  expect(await pendingKept(page)).toBe(1);

  // The first tab is reloaded: its sale is still there, with its key, and Retry posts it once.
  await page.reload();
  await page.getByTestId('sale-unconfirmed').waitFor();
  expect(await page.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  await page.getByTestId('retry-sale').click();
  await page.getByTestId('sale-posted').waitFor();
  expect(new Set(keys).size).toBe(1);
  expect(await salesOf(store.id, receiptNo)).toHaveLength(1);
  expect(await pendingKept(page)).toBe(0);

  // The second tab's retry of the same sale shows it posted, not a second sale.
  await second.getByTestId('retry-sale').click();
  await second.getByTestId('sale-posted').waitFor();
  expect(await salesOf(store.id, receiptNo)).toHaveLength(1);
  expect((await apiGet(`/api/v1/members/${member.id}`)).points.balance).toBe(15);
  await page.context().close();
});
