import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { apiGet, failSales, pendingKept, saleReady, salesOf } from '../support/till.ts';

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

it('two tabs of one till: a sale posted in the second tab does not lose the first tab’s unconfirmed sale', async () => {
  const { page, store, member, receiptNo } = await saleReady(browser, owner, server.url);
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
  expect(await salesOf(owner, store.id, receiptNo)).toHaveLength(1);
  expect(await pendingKept(page)).toBe(0);

  // The second tab's retry of the same sale shows it posted, not a second sale.
  await second.getByTestId('retry-sale').click();
  await second.getByTestId('sale-posted').waitFor();
  expect(await salesOf(owner, store.id, receiptNo)).toHaveLength(1);
  expect((await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance).toBe(15);
  await page.context().close();
});
