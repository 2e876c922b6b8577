import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The till's vouchers end to end: codes typed any way or scanned into the card field, the total to
// pay before posting, refused codes with their reasons, a code used elsewhere between the evaluation
// and Post, and the voucher used exactly once.

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

const rupiah = (amount: number) => amount * 100;
const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();

async function apiPost(path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await owner.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** One code of a new batch, read back from the batch's CSV as a marketer would. */
async function newCode(terms: Record<string, unknown>): Promise<string> {
  const { batchId } = await apiPost('/api/v1/vouchers/batches', { count: 1, expiresAt: inDays(30), ...terms });
  const csv = await (await owner.get(`/api/v1/vouchers/batches/${batchId}/codes.csv`)).text();
  const [header, first] = csv.trimEnd().split('\r\n');
  expect(header.split(',')[0]).toBe('code');
  return first.split(',')[0];
}

/** A new tenant with a store, a cashier of that store and a member; the till signed in, the member's card typed. */
async function openTill() {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  await apiPost('/api/v1/signup', { retailerName: `Toko Voucher ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `v-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'JKT', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const member = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone: newPhone() });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  // What the till asks the API, to check what it sends and how often.
  const calls: { method: string; path: string; body: string | null }[] = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/')) calls.push({ method: req.method(), path: url.pathname, body: req.postData() });
  });
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(`kasir-${id}@e2e.kartu`);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/portal\/till/);
  // The card number typed by hand identifies the member.
  await page.getByTestId('scan-input').fill(member.cardNumber);
  await page.getByTestId('scan-input').press('Enter');
  await expect.poll(() => page.getByTestId('member-name').textContent(), { timeout: 10_000 }).toContain('Dewi Lestari');
  return { page, context, store, member, calls };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const chip = (page: Page, code: string) => page.locator(`[data-testid="voucher-chip"][data-code="${code}"]`);
const focused = (page: Page) => page.locator(':focus').getAttribute('data-testid');
const slow = { timeout: 10_000 };

it('applies codes typed any way or scanned into the card field, shows the total and the refusals before posting, and posts after a code was used elsewhere', async () => {
  const { page, context, calls } = await openTill();
  // Two amount vouchers that stack (distinct exclusivity groups), one with a minimum spend out of reach.
  const typed = await newCode({ kind: 'amount', value: rupiah(20_000), exclusivityGroup: 'ketik' });
  const scanned = await newCode({ kind: 'amount', value: rupiah(10_000), exclusivityGroup: 'scan' });
  const bigSpend = await newCode({ kind: 'amount', value: rupiah(50_000), minSpend: rupiah(500_000), exclusivityGroup: 'besar' });

  await page.getByTestId('receipt-input').fill('STRUK-1');
  await page.getByTestId('total-input').fill('150.000');
  // Nothing to post before the total to pay is worked out.
  expect(await page.getByTestId('post-sale').isDisabled()).toBe(true);

  // Typed in lower case with a hyphen: applied as the code, and the voucher field keeps the focus.
  await page.getByTestId('voucher-input').fill(`${typed.slice(0, 4).toLowerCase()}-${typed.slice(4).toLowerCase()}`);
  await page.getByTestId('apply-voucher').click();
  await chip(page, typed).waitFor();
  await expect.poll(() => focused(page)).toBe('voucher-input');

  // A voucher's QR read while the card field has the focus: a voucher code, not a card.
  const scansBefore = calls.filter((c) => c.path === '/api/v1/scan').length;
  await page.getByTestId('scan-input').fill(scanned);
  await page.getByTestId('scan-input').press('Enter');
  await chip(page, scanned).waitFor();
  expect(calls.filter((c) => c.path === '/api/v1/scan')).toHaveLength(scansBefore);
  expect(await page.getByTestId('scan-error').count()).toBe(0);
  expect(await text(page, 'member-name')).toContain('Dewi Lestari');

  // A code below its minimum spend, and one that does not exist.
  for (const code of [bigSpend, 'nope 1234']) {
    await page.getByTestId('voucher-input').fill(code);
    await page.getByTestId('voucher-input').press('Enter');
  }
  await chip(page, 'NOPE1234').waitFor();

  // The total to pay before posting: each discount with its code, each refused code with its reason.
  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 120.000');
  expect((await page.getByTestId('discount-source').allTextContents()).sort()).toEqual([`Voucher ${scanned}`, `Voucher ${typed}`].sort());
  expect((await page.getByTestId('discount-amount').allTextContents()).sort()).toEqual(['− Rp 10.000', '− Rp 20.000']);
  await expect.poll(() => chip(page, 'NOPE1234').getByTestId('voucher-refused').textContent(), slow).toBe('kode tidak dikenal');
  await expect.poll(() => chip(page, bigSpend).getByTestId('voucher-refused').textContent(), slow).toBe(
    'belum mencapai minimum belanja: kurang Rp 350.000',
  );
  await expect.poll(() => page.getByTestId('post-sale').isEnabled(), slow).toBe(true);
  expect(await text(page, 'evaluated-total')).toBe('Rp 120.000');

  // The unknown code was checked once and never sent again.
  expect(calls.filter((c) => c.path.startsWith('/api/v1/vouchers/NOPE1234'))).toHaveLength(1);
  const evaluations = calls.filter((c) => c.path === '/api/v1/checkout/evaluate');
  expect(evaluations.length).toBeGreaterThan(0);
  expect(evaluations.filter((c) => c.body?.includes('NOPE1234'))).toEqual([]);
  // Every code is sent as the API stores it: upper case, no hyphen.
  const sent = evaluations.flatMap((c) => (JSON.parse(c.body ?? '{}').voucherCodes ?? []) as string[]);
  expect(sent).toContain(typed);
  expect(sent.filter((code) => !/^[0-9A-Z]+$/.test(code))).toEqual([]);

  // Meanwhile the typed code is used up elsewhere: Post is refused, the till works the total out
  // again and shows the new total and why the code no longer applies; nothing was posted.
  await apiPost(`/api/v1/vouchers/${typed}/redemptions`, {}, { 'Idempotency-Key': randomUUID() });
  await page.getByTestId('post-sale').click();
  await expect.poll(() => text(page, 'sale-error'), slow).toBe(
    'Total berubah sejak dihitung (mungkin voucher sudah terpakai di tempat lain). Periksa total baru di bawah lalu catat lagi.',
  );
  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 140.000');
  expect(await chip(page, typed).getByTestId('voucher-refused').textContent()).toBe('sudah dipakai');
  expect((await apiGet('/api/v1/transactions?receiptNo=STRUK-1')).items).toEqual([]);

  // The refused codes come off in one go; the focus goes back to the voucher field; then it posts.
  await page.getByTestId('remove-refused').click();
  await expect.poll(() => page.getByTestId('voucher-chip').count()).toBe(1);
  await expect.poll(() => focused(page)).toBe('voucher-input');
  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 140.000');
  await page.getByTestId('post-sale').click();
  await expect.poll(() => text(page, 'posted-total'), slow).toBe('Rp 140.000');
  expect(await page.getByTestId('vouchers-used').textContent()).toContain(scanned);

  // Through the API: one sale, the scanned voucher used exactly once, on that sale; the typed one only elsewhere.
  const sales = (await apiGet('/api/v1/transactions?receiptNo=STRUK-1')).items;
  expect(sales).toHaveLength(1);
  expect(sales[0]).toMatchObject({ total: rupiah(140_000), discount: rupiah(10_000) });
  const used = await apiGet(`/api/v1/vouchers/${scanned}`);
  expect(used).toMatchObject({ uses: 1 });
  expect(used.redemptions.filter((r: { status: string }) => r.status === 'redeemed')).toEqual([
    expect.objectContaining({ transactionId: sales[0].id }),
  ]);
  const elsewhere = await apiGet(`/api/v1/vouchers/${typed}`);
  expect(elsewhere.uses).toBe(1);
  expect(elsewhere.redemptions.map((r: { transactionId: string | null }) => r.transactionId)).toEqual([null]);
  expect((await apiGet(`/api/v1/vouchers/${bigSpend}`)).uses).toBe(0);

  // The same receipt again: the till shows the sale already posted, not an error.
  await page.getByTestId('next-customer').click();
  await page.getByTestId('receipt-input').fill('STRUK-1');
  await page.getByTestId('total-input').fill('99.000');
  await page.getByTestId('total-input').press('Enter');
  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 99.000');
  await page.getByTestId('post-sale').click();
  await expect.poll(() => text(page, 'already-posted'), slow).toContain('Sudah tercatat: Rp 140.000');
  expect((await apiGet('/api/v1/transactions?receiptNo=STRUK-1')).items).toHaveLength(1);
  await context.close();
});

it('a free-item voucher adds its item at the price the cashier types; a personal voucher after a typed card number asks for the member', async () => {
  const { page, context, member } = await openTill();
  const coffee = await newCode({ kind: 'free_item', sku: 'KOPI-SUSU', exclusivityGroup: 'gratis' });
  const personal = await newCode({ kind: 'amount', value: rupiah(5_000), memberId: member.id, exclusivityGroup: 'pribadi' });

  await page.getByTestId('receipt-input').fill('STRUK-2');
  await page.getByTestId('total-input').fill('100.000');
  await page.getByTestId('voucher-input').fill(coffee);
  await page.getByTestId('apply-voucher').click();
  // The item's price is asked for (and has the focus); until then there is no total to post.
  await page.getByTestId('free-item-price').waitFor();
  expect(await page.getByTestId('free-item-price').getAttribute('data-sku')).toBe('KOPI-SUSU');
  await expect.poll(() => focused(page), slow).toBe('free-item-price');
  expect(await page.getByTestId('post-sale').isDisabled()).toBe(true);
  await page.getByTestId('free-item-price').fill('25.000');
  await page.getByTestId('free-item-price').press('Enter');
  await expect.poll(() => text(page, 'evaluated-subtotal'), slow).toBe('Rp 125.000');
  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 100.000');
  expect(await page.getByTestId('discount-source').allTextContents()).toEqual([`Voucher ${coffee}`]);

  // The member's own voucher: a typed card number cannot spend it without the member.
  await page.getByTestId('voucher-input').fill(personal);
  await page.getByTestId('voucher-input').press('Enter');
  await expect.poll(() => text(page, 'needs-presence'), slow).toContain(personal);
  await chip(page, personal).getByTestId('remove-voucher').click();
  await expect.poll(() => page.getByTestId('needs-presence').count()).toBe(0);
  await expect.poll(() => focused(page)).toBe('voucher-input');

  await expect.poll(() => text(page, 'evaluated-total'), slow).toBe('Rp 100.000');
  // A stray Esc asks before the codes and amounts entered are thrown away.
  const dialogs: string[] = [];
  page.once('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.keyboard.press('Escape');
  await expect.poll(() => dialogs).toEqual(['Kosongkan penjualan ini? Kode dan nominal yang sudah diisi akan hilang.']);
  expect(await page.getByTestId('total-input').inputValue()).toBe('100.000');
  expect(await chip(page, coffee).count()).toBe(1);

  await page.getByTestId('post-sale').click();
  await expect.poll(() => text(page, 'posted-total'), slow).toBe('Rp 100.000');
  const [sale] = (await apiGet('/api/v1/transactions?receiptNo=STRUK-2')).items;
  expect(sale.lines.map((l: { sku: string; unitPrice: number; discount: number }) => [l.sku, l.unitPrice, l.discount])).toEqual([
    ['SALE', rupiah(100_000), 0],
    ['KOPI-SUSU', rupiah(25_000), rupiah(25_000)],
  ]);
  expect((await apiGet(`/api/v1/vouchers/${coffee}`)).uses).toBe(1);
  expect((await apiGet(`/api/v1/vouchers/${personal}`)).uses).toBe(0);
  await context.close();
});
