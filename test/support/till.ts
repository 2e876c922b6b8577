import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { newPhone, PASSWORD } from './factories.ts';

// The till's sale tests share this: a retailer of their own (signed up through the owner's request
// context, which keeps the owner's session), the cashier's till with a member and a sale worked out,
// and ways to make POST /transactions fail as a network would.

export async function apiPost(owner: APIRequestContext, path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

export async function apiGet(owner: APIRequestContext, path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** A new retailer with a store, its cashier (signed in to a till page) and a member. */
export async function newTill(browser: Browser, owner: APIRequestContext, baseUrl: string, viewport = { width: 1280, height: 900 }) {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  await apiPost(owner, '/api/v1/signup', { retailerName: `Toko Retry ${id}`, email: `owner-${id}@retry.kartu`, password: PASSWORD, slug: `r-${id}` });
  const store = await apiPost(owner, '/api/v1/stores', { code: 'MDN', name: 'Toko Medan' });
  await apiPost(owner, '/api/v1/staff', { email: `kasir-${id}@retry.kartu`, name: 'Bang Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const member = await apiPost(owner, '/api/v1/members', { name: 'Dewi Lestari', phone: newPhone() });

  const context = await browser.newContext({ locale: 'id-ID', viewport, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/portal/login`);
  await page.getByTestId('login-email').fill(`kasir-${id}@retry.kartu`);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/portal\/till/);
  return { id, page, store, member };
}

/** The till with the member's card number typed and a sale of Rp 150.000 worked out. */
export async function saleReady(browser: Browser, owner: APIRequestContext, baseUrl: string) {
  const { id, page, store, member } = await newTill(browser, owner, baseUrl);
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
export async function salesOf(owner: APIRequestContext, storeId: string, receiptNo: string) {
  const found = await apiGet(owner, `/api/v1/transactions?storeId=${storeId}&receiptNo=${encodeURIComponent(receiptNo)}`);
  return found.items as { id: string; total: number; pointsEarned: number }[];
}

/** Fails POST /api/v1/transactions the way `failures` say, in turn; later tries go through. Returns the keys sent. */
export async function failSales(page: Page, failures: ('lost_before' | 'lost_after')[]) {
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

/** How many unconfirmed sales the till keeps in the browser. */
export const pendingKept = (page: Page) =>
  page.evaluate<number>(`Object.keys(localStorage).filter((key) => key.startsWith('kartu.till.pendingSale.')).length`);
