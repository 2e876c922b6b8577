import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A network error at the till never loses or doubles a sale: the sale is kept in the browser with
// its Idempotency-Key until the server confirms it (a reload included), and Retry sends it again
// with the same key, so the server posts it once.

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

it('a sale whose first POST fails on the network is retried with the same Idempotency-Key and posted once', async () => {
  const { page, store, member, receiptNo } = await saleReady();
  const keys = await failSales(page, ['lost_before']);
  await page.getByTestId('post-sale').click();

  const unconfirmed = page.getByTestId('sale-unconfirmed');
  await unconfirmed.waitFor();
  expect(await unconfirmed.locator('h2').textContent()).toBe('Penjualan belum terkonfirmasi — coba lagi');
  expect(await unconfirmed.getByRole('alert').textContent()).toContain('Server tidak dapat dihubungi');
  expect(await page.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  expect(await page.getByTestId('unconfirmed-total').textContent()).toBe('Rp 150.000');
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('retry-sale');
  expect(await salesOf(store.id, receiptNo)).toEqual([]);
  await expectAccessible(page, 'till, sale not confirmed');

  await page.getByTestId('retry-sale').click();
  await expect.poll(() => page.getByTestId('points-earned').textContent()).toBe('15');
  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(keys[1]).toBe(keys[0]);
  expect(await salesOf(store.id, receiptNo)).toHaveLength(1);
  expect((await apiGet(`/api/v1/members/${member.id}`)).points.balance).toBe(15);
  expect(await pendingKept(page)).toBe(0);
  await page.context().close();
});

it('a sale posted whose answer is lost survives a reload of the till and a second failure, and the retry posts nothing twice', async () => {
  const { page, store, member, receiptNo } = await saleReady();
  const keys = await failSales(page, ['lost_after', 'lost_before']);
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-unconfirmed').waitFor();
  // The server has the sale; the till does not know it.
  expect(await salesOf(store.id, receiptNo)).toHaveLength(1);
  expect(await pendingKept(page)).toBe(1);

  // A reload (or a crash of the tab) keeps the unconfirmed sale with its key.
  await page.reload();
  await page.getByTestId('sale-unconfirmed').waitFor();
  expect(await page.getByTestId('sale-unconfirmed').getByRole('alert').textContent()).toContain('dimuat ulang');
  expect(await page.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  expect(await page.getByTestId('post-sale').count()).toBe(0);

  await page.getByTestId('retry-sale').click();
  await expect.poll(() => page.getByTestId('sale-unconfirmed').getByRole('alert').textContent()).toContain('Server tidak dapat dihubungi');
  await expect.poll(() => page.getByTestId('retry-sale').isEnabled()).toBe(true);
  await page.getByTestId('retry-sale').click();
  await page.getByTestId('sale-posted').waitFor();
  expect(await page.getByTestId('points-earned').textContent()).toBe('15');

  expect(keys).toHaveLength(3);
  expect(new Set(keys).size).toBe(1);
  const sales = await salesOf(store.id, receiptNo);
  expect(sales).toHaveLength(1);
  expect(sales[0].pointsEarned).toBe(15);
  expect((await apiGet(`/api/v1/members/${member.id}`)).points.balance).toBe(15);
  expect(await pendingKept(page)).toBe(0);

  // The next customer gets the sale form again.
  await page.getByTestId('next-customer').click();
  await page.getByTestId('post-sale').waitFor();
  await page.context().close();
});
