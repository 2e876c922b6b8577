import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { apiGet, failSales, pendingKept, saleReady, salesOf } from '../support/till.ts';

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

it('a sale whose first POST fails on the network is retried with the same Idempotency-Key and posted once', async () => {
  const { page, store, member, receiptNo } = await saleReady(browser, owner, server.url);
  const keys = await failSales(page, ['lost_before']);
  await page.getByTestId('post-sale').click();

  const unconfirmed = page.getByTestId('sale-unconfirmed');
  await unconfirmed.waitFor();
  expect(await unconfirmed.locator('h2').textContent()).toBe('Penjualan belum terkonfirmasi — coba lagi');
  expect(await unconfirmed.getByRole('alert').textContent()).toContain('Server tidak dapat dihubungi');
  expect(await page.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  expect(await page.getByTestId('unconfirmed-total').textContent()).toBe('Rp 150.000');
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('retry-sale');
  expect(await salesOf(owner, store.id, receiptNo)).toEqual([]);
  await expectAccessible(page, 'till, sale not confirmed');

  await page.getByTestId('retry-sale').click();
  await expect.poll(() => page.getByTestId('points-earned').textContent()).toBe('15');
  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(keys[1]).toBe(keys[0]);
  expect(await salesOf(owner, store.id, receiptNo)).toHaveLength(1);
  expect((await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance).toBe(15);
  expect(await pendingKept(page)).toBe(0);
  await page.context().close();
});

it('a sale posted whose answer is lost survives a reload of the till and a second failure, and the retry posts nothing twice', async () => {
  const { page, store, member, receiptNo } = await saleReady(browser, owner, server.url);
  const keys = await failSales(page, ['lost_after', 'lost_before']);
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-unconfirmed').waitFor();
  // The server has the sale; the till does not know it.
  expect(await salesOf(owner, store.id, receiptNo)).toHaveLength(1);
  expect(await pendingKept(page)).toBe(1);

  // A reload (or a crash of the tab) keeps the unconfirmed sale with its key; the browser warns first.
  const warned = page.waitForEvent('dialog').then(async (dialog) => {
    const type = dialog.type();
    await dialog.accept();
    return type;
  });
  await page.reload();
  expect(await warned).toBe('beforeunload');
  await page.getByTestId('sale-unconfirmed').waitFor();
  expect(await page.getByTestId('sale-unconfirmed').getByRole('alert').textContent()).toContain('dimuat ulang');
  expect(await page.getByTestId('unconfirmed-receipt').textContent()).toBe(receiptNo);
  expect(await page.getByTestId('post-sale').count()).toBe(0);
  // Whose sale it is, fetched again: the balance the server has now (the lost answer's 15 points), not a copy from before.
  await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Dewi Lestari');
  expect(await page.getByTestId('member-balance').textContent()).toBe('15');

  await page.getByTestId('retry-sale').click();
  await expect.poll(() => page.getByTestId('sale-unconfirmed').getByRole('alert').textContent()).toContain('Server tidak dapat dihubungi');
  await expect.poll(() => page.getByTestId('retry-sale').isEnabled()).toBe(true);
  await page.getByTestId('retry-sale').click();
  await page.getByTestId('sale-posted').waitFor();
  expect(await page.getByTestId('points-earned').textContent()).toBe('15');

  expect(keys).toHaveLength(3);
  expect(new Set(keys).size).toBe(1);
  const sales = await salesOf(owner, store.id, receiptNo);
  expect(sales).toHaveLength(1);
  expect(sales[0].pointsEarned).toBe(15);
  expect((await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance).toBe(15);
  expect(await pendingKept(page)).toBe(0);

  // The next customer gets an empty sale form, with no member on it.
  await page.getByTestId('next-customer').click();
  await page.getByTestId('post-sale').waitFor();
  expect(await page.getByTestId('member-name').count()).toBe(0);
  expect(await page.getByTestId('receipt-input').inputValue()).toBe('');
  expect(await page.getByTestId('total-input').inputValue()).toBe('');
  await page.context().close();
});

it('with a sale unconfirmed, leaving the till or signing out asks first and the cashier can stay; after a reload the sale form comes back as it was', async () => {
  const { page, store, member, receiptNo } = await saleReady(browser, owner, server.url);
  await failSales(page, ['lost_before']);
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-unconfirmed').waitFor();

  const questions: string[] = [];
  const answerDialogs = (accept: boolean) => {
    page.removeAllListeners('dialog');
    page.on('dialog', async (dialog) => {
      questions.push(`${dialog.type()}: ${dialog.message()}`);
      await (accept ? dialog.accept() : dialog.dismiss());
    });
  };
  answerDialogs(false);
  const leaveQuestion = `confirm: Struk ${receiptNo} belum terkonfirmasi. Tetap tinggalkan kasir? Penjualan tetap tersimpan di perangkat ini; buka kasir lagi untuk mencobanya lagi.`;

  // Another screen of the portal: asked, and staying keeps the till as it was.
  await page.getByRole('navigation').getByRole('link', { name: 'Member', exact: true }).click();
  await expect.poll(() => questions).toEqual([leaveQuestion]);
  expect(new URL(page.url()).pathname).toBe('/portal/till');
  await page.getByTestId('sale-unconfirmed').waitFor();

  // Signing out: asked before the session ends, so that staying keeps the session the retry needs.
  await page.getByRole('button', { name: 'Keluar', exact: true }).click();
  await expect.poll(() => questions).toEqual([leaveQuestion, leaveQuestion]);
  expect(new URL(page.url()).pathname).toBe('/portal/till');
  expect((await page.request.get(`${server.url}/api/v1/auth/me`)).status()).toBe(200);

  // Reloaded: the member and the form as the cashier filled them in are back behind the unconfirmed sale.
  answerDialogs(true);
  await page.reload();
  expect(questions.at(-1)).toMatch(/^beforeunload/);
  await page.getByTestId('sale-unconfirmed').waitFor();
  await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Dewi Lestari');
  expect(await page.getByTestId('member-balance').textContent()).toBe('0');
  // Discarded (the server never had it): the same form, ready to post again.
  await page.getByTestId('discard-sale').click();
  expect(await page.getByTestId('receipt-input').inputValue()).toBe(receiptNo);
  expect(await page.getByTestId('total-input').inputValue()).toBe('150.000');
  await expect.poll(() => page.getByTestId('evaluated-total').textContent(), { timeout: 10_000 }).toBe('Rp 150.000');
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-posted').waitFor();
  expect(await salesOf(owner, store.id, receiptNo)).toHaveLength(1);
  expect((await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance).toBe(15);

  // Nothing unconfirmed: the cashier leaves without being asked.
  const asked = questions.length;
  await page.getByRole('button', { name: 'Keluar', exact: true }).click();
  await page.waitForURL(/\/portal\/login/);
  expect(questions).toHaveLength(asked);
  await page.context().close();
});
