import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatMoney } from '../../api/client/format.ts';
import { launchChromium } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { apiGet, apiPost, newTill } from '../support/till.ts';

// Issue 9's till takes the sale as items: a keyboard-wedge scanner types each SKU and Enter, the
// catalogue names and prices it, a SKU scanned again adds one, and an SKU the catalogue does not
// know is priced by the cashier rather than blocking the sale. Categories go with the lines, so an
// earning rule by category earns on them.

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

const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.replace(/\s+/g, ' ').trim();

async function scanSku(page: Page, sku: string) {
  await page.keyboard.type(sku);
  await page.keyboard.press('Enter');
}

it('keyboard only: items scanned by SKU (one twice), an unknown SKU priced by hand, posted with its lines and category points', async () => {
  const { id, page, store, member } = await newTill(browser, owner, server.url);
  await apiPost(owner, '/api/v1/products', { sku: 'KOPI-250', name: 'Kopi Gayo 250 g', category: 'coffee', unitPrice: 5_000_000 });
  await apiPost(owner, '/api/v1/products', { sku: 'ROTI-1', name: 'Roti Tawar', category: 'bakery', unitPrice: 2_000_000 });
  await apiPost(owner, '/api/v1/earning-rules', { name: 'Bonus kopi', conditions: { categories: ['coffee'] }, effect: { type: 'bonus', points: 7, per: 'unit' } });
  const receiptNo = `I-${id}`;

  await expect.poll(() => focusedId(page)).toBe('scan');
  await page.keyboard.type(member.cardNumber);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'member-name')).toBe('Dewi Lestari');
  await expect.poll(() => focusedId(page)).toBe('receipt');
  // Back to the sale's mode, Items with an arrow key, and on to the receipt.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('ArrowRight');
  expect(await page.getByTestId('mode-items').isChecked()).toBe(true);
  await page.keyboard.press('Tab');
  expect(await focusedId(page)).toBe('receipt');
  await page.keyboard.type(receiptNo);
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedId(page)).toBe('sku');

  await scanSku(page, 'KOPI-250');
  await expect.poll(() => page.getByTestId('sale-line').count()).toBe(1);
  await scanSku(page, 'ROTI-1');
  await expect.poll(() => page.getByTestId('sale-line').count()).toBe(2);
  await scanSku(page, 'kopi-250');
  await expect.poll(() => page.getByTestId('line-quantity').first().inputValue()).toBe('2');
  // Unknown to the catalogue: a line of its own, the price field takes the focus.
  await scanSku(page, 'TAS-9');
  await expect.poll(() => page.getByTestId('sale-line').count()).toBe(3);
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('line-price');
  await page.keyboard.type('10.000');
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedId(page)).toBe('sku');
  expect(await text(page, 'items-subtotal')).toBe('Rp 130.000');

  const items = [
    { sku: 'KOPI-250', name: 'Kopi Gayo 250 g', category: 'coffee', quantity: 2, unitPrice: 5_000_000 },
    { sku: 'ROTI-1', name: 'Roti Tawar', category: 'bakery', quantity: 1, unitPrice: 2_000_000 },
    { sku: 'TAS-9', quantity: 1, unitPrice: 1_000_000 },
  ];
  const evaluated = await apiPost(owner, '/api/v1/checkout/evaluate', { channel: 'store', memberId: member.id, storeId: store.id, items });
  const withoutCategories = await apiPost(owner, '/api/v1/checkout/evaluate', {
    channel: 'store', memberId: member.id, storeId: store.id, items: items.map(({ category: _, ...item }) => item),
  });
  expect(evaluated.pointsToEarn - withoutCategories.pointsToEarn).toBe(14);

  // Enter on the empty SKU field works the total out; the next Enter posts.
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, 'evaluated-total'), { timeout: 10_000 }).toBe(formatMoney(evaluated.total, 'IDR', 'id'));
  await page.keyboard.press('Enter');
  await page.getByTestId('sale-posted').waitFor();

  const [found] = (await apiGet(owner, `/api/v1/transactions?storeId=${store.id}&receiptNo=${receiptNo}`)).items;
  const sale = await apiGet(owner, `/api/v1/transactions/${found.id}`);
  expect(sale).toMatchObject({ subtotal: 13_000_000, total: evaluated.total, pointsEarned: evaluated.pointsToEarn });
  expect(sale.lines.map(({ sku, name, category, quantity, unitPrice }: Record<string, unknown>) => ({ sku, name, category, quantity, unitPrice }))).toEqual([
    { sku: 'KOPI-250', name: 'Kopi Gayo 250 g', category: 'coffee', quantity: 2, unitPrice: 5_000_000 },
    { sku: 'ROTI-1', name: 'Roti Tawar', category: 'bakery', quantity: 1, unitPrice: 2_000_000 },
    { sku: 'TAS-9', name: null, category: null, quantity: 1, unitPrice: 1_000_000 },
  ]);
  expect(await text(page, 'points-earned')).toBe(String(evaluated.pointsToEarn));
  await page.context().close();
});

it('Programs › Products: the owner adds, finds, changes and deactivates a product', async () => {
  const { id, page: till } = await newTill(browser, owner, server.url);
  await till.context().close();
  await apiPost(owner, '/api/v1/products', { sku: 'GULA-1', name: 'Gula Pasir 1 kg', unitPrice: 1_800_000 });
  const page = await signInPortal(browser, server.url, `owner-${id}@retry.kartu`);
  await openFromMenu(page, 'Programs', 'Products');
  await page.getByTestId('product-row-GULA-1').waitFor();

  await page.getByTestId('product-new-sku').fill('TEH-25');
  await page.getByTestId('product-new-name').fill('Teh Celup isi 25');
  await page.getByTestId('product-new-category').fill('tea');
  await page.getByTestId('product-new-price').fill('12.500');
  await page.getByTestId('product-new-save').click();
  await page.getByTestId('product-row-TEH-25').waitFor();
  expect(await apiGet(owner, '/api/v1/products/by-sku/teh-25')).toMatchObject({ name: 'Teh Celup isi 25', category: 'tea', unitPrice: 1_250_000, active: true });

  await page.getByTestId('product-search').fill('teh');
  await page.getByTestId('product-search').press('Enter');
  await expect.poll(() => page.getByTestId('product-row-GULA-1').count()).toBe(0);
  await page.getByTestId('product-edit-TEH-25').click();
  await page.getByTestId('product-edit-price').fill('13.000');
  await page.getByTestId('product-edit-save').click();
  await expect.poll(async () => (await apiGet(owner, '/api/v1/products/by-sku/TEH-25')).unitPrice).toBe(1_300_000);
  await page.getByTestId('product-toggle-TEH-25').click();
  await expect.poll(async () => (await apiGet(owner, '/api/v1/products/by-sku/TEH-25')).active).toBe(false);
  await page.context().close();
});
