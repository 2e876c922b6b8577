import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatMoney } from '../../api/client/format.ts';
import { pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { apiGet, apiPost, newTill } from '../support/till.ts';

// The till as the issue asks for it: a whole sale by keyboard alone (scanner, Tab and Enter) on a
// 10-inch tablet held sideways, spending part of the member's points at the total the API works
// out; the same till held upright with nothing to scroll sideways; and a walk-in customer signed up
// in well under 30 seconds of the cashier's typing, the phone proven with the texted code.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Private targets: the one-time codes go out through a local SMS gateway (the outbox shows them masked outside demo mode).
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', KARTU_ALLOW_PRIVATE_TARGETS: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.replace(/\s+/g, ' ').trim();

/** A member holding a pre-printed card (its QR lets the till spend) and 500 points. */
async function memberWithPoints() {
  const stock = await apiPost(owner, '/api/v1/cards/stock', { count: 1 });
  const csv = await (await owner.get(`/api/v1/cards/stock/${stock.batchId}/codes.csv`)).text();
  const code = csv.trimEnd().split('\r\n')[1].split(',')[1];
  const member = await apiPost(owner, '/api/v1/cards/attach', { code, name: 'Putri Ayu', phone: newPhone() });
  await apiPost(owner, `/api/v1/members/${member.id}/points/adjustments`, { points: 500, reason: 'Saldo awal' });
  return { member, code };
}

it('keyboard only on a tablet held sideways: scan, receipt, total, part of the points, the API’s total, post, the receipt summary, Enter for the next customer', async () => {
  const { id, page, store } = await newTill(browser, owner, server.url, { width: 1280, height: 800 });
  const { member, code } = await memberWithPoints();
  const { pointValue } = await apiGet(owner, '/api/v1/settings/points');
  const receiptNo = `K-${id}`;

  // The scan field has the focus; the scanner types the card's QR and Enter.
  await expect.poll(() => focusedId(page)).toBe('scan');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'member-name')).toBe('Putri Ayu');
  expect(await text(page, 'member-balance')).toBe('500');
  await expect.poll(() => focusedId(page)).toBe('receipt');
  await page.keyboard.type(receiptNo);
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('total');
  await page.keyboard.type('150.000');
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('points-to-spend');
  // Part of the balance, not all or nothing.
  await page.keyboard.type('120');
  await page.keyboard.press('Enter');

  // The total on screen is the one the API works out for the same cart, and follows the arithmetic.
  const evaluated = await apiPost(owner, '/api/v1/checkout/evaluate', {
    channel: 'store', memberId: member.id, storeId: store.id, items: [{ sku: 'SALE', name: 'Penjualan', quantity: 1, unitPrice: 15_000_000 }], pointsToRedeem: 120,
  });
  expect(evaluated.pointsValue).toBe(120 * pointValue);
  expect(evaluated.total).toBe(15_000_000 - 120 * pointValue);
  await expect.poll(() => text(page, 'evaluated-total'), { timeout: 10_000 }).toBe(formatMoney(evaluated.total, 'IDR', 'id'));
  expect(await text(page, 'evaluated-points-value')).toBe(`− ${formatMoney(120 * pointValue, 'IDR', 'id')}`);
  expect(await text(page, 'evaluated-points')).toBe(String(evaluated.pointsToEarn));
  expect(await pageWidth(page)).toBeLessThanOrEqual(1280);

  // The next Enter posts it; the receipt summary takes the focus.
  await page.keyboard.press('Enter');
  await page.getByTestId('sale-posted').waitFor();
  const [sale] = (await apiGet(owner, `/api/v1/transactions?storeId=${store.id}&receiptNo=${receiptNo}`)).items;
  expect(sale).toMatchObject({ total: evaluated.total, pointsRedeemed: 120, pointsEarned: evaluated.pointsToEarn });
  const balance = (await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance;
  expect(balance).toBe(500 - 120 + evaluated.pointsToEarn);
  expect(await text(page, 'posted-total')).toBe(formatMoney(evaluated.total, 'IDR', 'id'));
  expect(await text(page, 'points-earned')).toBe(String(evaluated.pointsToEarn));
  expect(await text(page, 'new-balance')).toBe(String(balance));
  expect(await page.locator(':focus').getAttribute('data-testid')).toBe('next-customer');
  expect(await pageWidth(page)).toBeLessThanOrEqual(1280);

  // Enter: ready for the next customer, the scan field focused and nothing of this sale left.
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedId(page)).toBe('scan');
  expect(await page.getByTestId('member-name').count()).toBe(0);
  expect(await page.getByTestId('receipt-input').inputValue()).toBe('');
  expect(await page.getByTestId('total-input').inputValue()).toBe('');
  await page.context().close();
});

it('a 10-inch tablet held upright (800 × 1280): the member and the sale fit without scrolling sideways, the total and Post in reach', async () => {
  const { page } = await newTill(browser, owner, server.url, { width: 800, height: 1280 });
  const { code } = await memberWithPoints();
  expect(await pageWidth(page)).toBeLessThanOrEqual(800);
  await page.getByTestId('scan-input').fill(code);
  await page.getByTestId('scan-input').press('Enter');
  await expect.poll(() => text(page, 'member-name')).toBe('Putri Ayu');
  await page.getByTestId('receipt-input').fill('U-1');
  await page.getByTestId('total-input').fill('75.000');
  await page.getByTestId('points-input').fill('50');
  await page.getByTestId('points-input').press('Enter');
  await expect.poll(() => text(page, 'evaluated-total'), { timeout: 10_000 }).toMatch(/^Rp /);
  expect(await pageWidth(page)).toBeLessThanOrEqual(800);
  for (const testId of ['member-name', 'evaluated-total', 'post-sale']) {
    const box = (await page.getByTestId(testId).boundingBox())!;
    expect(box.x + box.width, testId).toBeLessThanOrEqual(800);
    expect(box.y + box.height, testId).toBeLessThanOrEqual(1280);
  }
  await page.getByTestId('post-sale').click();
  await page.getByTestId('sale-posted').waitFor();
  expect(await pageWidth(page)).toBeLessThanOrEqual(800);
  await page.getByTestId('next-customer').click();
  await page.getByTestId('till-enrol').click();
  await page.getByTestId('enrol-panel').waitFor();
  expect(await pageWidth(page)).toBeLessThanOrEqual(800);
  await page.context().close();
});

it('a walk-in customer is signed up with the texted code in under 30 seconds of the cashier’s typing, and the sale goes on with them', async () => {
  const gateway = await startHttpReceiver();
  try {
    const { page } = await newTill(browser, owner, server.url, { width: 1280, height: 800 });
    await apiPut('/api/v1/settings/messages/transports/sms', { kind: 'http', url: `${gateway.url}/send`, headers: [], bodyTemplate: '{"to":"{{to}}","text":"{{text}}"}' });
    await apiPut('/api/v1/settings/messages/channels', { channels: ['sms'] });
    const phone = newPhone();
    // A cashier typing at an everyday pace, not a test's speed.
    const typing = { delay: 250 };

    const started = Date.now();
    await page.getByTestId('till-enrol').click();
    await expect.poll(() => focusedId(page)).toBe('enrol-name');
    await page.keyboard.type('Rina Wulandari', typing);
    await page.getByTestId('enrol-phone').click();
    await page.keyboard.type(phone, typing);
    await page.getByTestId('enrol-send-code').click();
    // Waiting for the text to reach the customer's phone is not the cashier's time.
    const waitStarted = Date.now();
    await expect.poll(() => gateway.requests.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const sms = JSON.parse(gateway.requests[0].body) as { to: string; text: string };
    expect(sms.to).toBe(`+62${phone.slice(1)}`);
    const code = /\b(\d{6})\b/.exec(sms.text)![1];
    await expect.poll(() => focusedId(page)).toBe('enrol-phoneCode');
    const waited = Date.now() - waitStarted;
    await page.keyboard.type(code, typing);
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page, 'member-name')).toBe('Rina Wulandari');
    const cashierSeconds = (Date.now() - started - waited) / 1000;
    expect(cashierSeconds).toBeLessThan(30);
    expect(await focusedId(page)).toBe('receipt');
    const found = (await apiGet(owner, `/api/v1/members?query=${encodeURIComponent(`+62${phone.slice(1)}`)}`)).items;
    expect(found).toHaveLength(1);
    expect(await apiGet(owner, `/api/v1/members/${found[0].id}`)).toMatchObject({ name: 'Rina Wulandari', source: 'in_store', phoneVerified: true });
    await page.context().close();
  } finally {
    await gateway.close();
  }
});

it('a pre-printed card handed to a walk-in customer: its scan finds nobody, and the customer is enrolled holding it in one step, on the sale', async () => {
  const { page } = await newTill(browser, owner, server.url, { width: 1280, height: 800 });
  const stock = await apiPost(owner, '/api/v1/cards/stock', { count: 1 });
  const csv = await (await owner.get(`/api/v1/cards/stock/${stock.batchId}/codes.csv`)).text();
  const [cardNumber, code] = csv.trimEnd().split('\r\n')[1].split(',');

  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'scan-error')).toBe('Kartu tidak dikenal');
  await page.getByTestId('till-attach-card').click();
  await expect.poll(() => focusedId(page)).toBe('attach-name');
  await page.keyboard.type('Sari Indah');
  await page.keyboard.press('Tab');
  const phone = newPhone();
  await page.keyboard.type(phone);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'till-enrol-notice')).toBe('Member baru Sari Indah dipakai untuk transaksi ini.');
  expect(await text(page, 'member-name')).toBe('Sari Indah');
  // Scanned from the card's QR: the member is present, so the till may spend for them.
  expect(await page.getByTestId('typed-number-hint').count()).toBe(0);
  expect(await page.getByTestId('attach-panel').count()).toBe(0);
  expect(await focusedId(page)).toBe('receipt');
  const found = (await apiGet(owner, `/api/v1/members?query=${encodeURIComponent(`+62${phone.slice(1)}`)}`)).items;
  expect(found).toHaveLength(1);
  expect(await apiGet(owner, `/api/v1/members/${found[0].id}`)).toMatchObject({ name: 'Sari Indah', cardNumber });
  await page.context().close();
});

it('a refund by receipt number at the till: part of the items first, then the rest, each once', async () => {
  const { id, page, store, member } = await newTill(browser, owner, server.url, { width: 1280, height: 800 });
  const receiptNo = `F-${id}`;
  const posted = await owner.post('/api/v1/transactions', {
    headers: { 'Idempotency-Key': `sale-${id}` },
    data: { memberId: member.id, storeId: store.id, receiptNo, items: [{ sku: 'KOPI-1', name: 'Kopi Toraja', quantity: 3, unitPrice: 5_000_000 }] },
  });
  expect(posted.status(), await posted.text()).toBe(201);
  const sale = await posted.json();
  expect(sale.pointsEarned).toBe(15);

  await page.getByTestId('till-refund-open').click();
  await expect.poll(() => focusedId(page)).toBe('refund-receipt');
  await page.keyboard.type('F-nope');
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'till-refund-error')).toBe('Tidak ada penjualan dengan struk F-nope di toko ini.');

  // One of the three comes back.
  await page.getByTestId('till-refund-receipt').fill(receiptNo);
  await page.keyboard.press('Enter');
  const quantity = page.getByTestId('till-refund-qty');
  await expect.poll(() => quantity.inputValue()).toBe('3');
  await quantity.fill('1');
  await page.getByTestId('till-refund-submit').click();
  await expect.poll(() => text(page, 'till-refund-reversed')).toBe('Poin dibatalkan: 5');
  expect(await apiGet(owner, `/api/v1/transactions/${sale.id}`)).toMatchObject({ pointsReversed: 5, lines: [{ refundedQuantity: 1 }] });

  // The rest: every item still to refund is proposed.
  await page.getByTestId('till-refund-receipt').fill(receiptNo);
  await page.keyboard.press('Enter');
  await expect.poll(() => quantity.inputValue()).toBe('2');
  await page.getByTestId('till-refund-submit').click();
  await expect.poll(() => text(page, 'till-refund-reversed')).toBe('Poin dibatalkan: 10');
  expect(await apiGet(owner, `/api/v1/transactions/${sale.id}`)).toMatchObject({ pointsReversed: 15, lines: [{ refundedQuantity: 3 }] });
  expect((await apiGet(owner, `/api/v1/members/${member.id}`)).points.balance).toBe(0);

  await page.getByTestId('till-refund-receipt').fill(receiptNo);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'till-refund-error')).toBe(`Semua barang pada struk ${receiptNo} sudah diretur.`);
  expect(await page.getByTestId('till-refund-submit').count()).toBe(0);
  await page.keyboard.press('Escape');
  expect(await page.getByTestId('till-refund-panel').count()).toBe(0);
  await page.context().close();
});

async function apiPut(path: string, data: unknown) {
  const res = await owner.put(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}
