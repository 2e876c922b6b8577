import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// An offer where it sells: a member who bought kopi sees "Offers for you" with the dripper and a
// personal voucher on a 360 px phone; the cashier scans the member's card and the till suggests the
// dripper with that voucher (from the scan alone, no request of its own); one click puts the dripper
// and the voucher on the sale, it is posted, and the offer counts as converted — in the API, on the
// offer's results page with its chart, and on the member's page.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode: the outbox shows the member's one-time sign-in code (it is masked otherwise); sign-up is open.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

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

const slow = { timeout: 10_000 };
const rupiah = (amount: number) => amount * 100;
const focused = (page: Page) => page.locator(':focus').getAttribute('data-testid');

async function signInMember(page: Page, slug: string, phone: string) {
  const sent = () => codesSentTo((path) => owner.get(path), phone);
  const before = (await sent()).length;
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('phone-input').fill(phone);
  await page.getByTestId('send-code').click();
  await expect.poll(async () => (await sent()).length, slow).toBe(before + 1);
  await page.getByTestId('code-input').fill((await sent())[0]);
  await page.getByTestId('verify-code').click();
  await page.getByTestId('points-balance').waitFor();
}

it('the member app and the till show the offer to a member who bought kopi; the till applies its voucher and the sale converts it', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const signup = await apiPost('/api/v1/signup', { retailerName: `Toko Kopi ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `kopi-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const phone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone });
  // Three days ago Dewi bought kopi.
  await apiPost(
    '/api/v1/transactions',
    {
      memberId: member.id, storeId: store.id, receiptNo: `K-${id}`, occurredAt: new Date(Date.now() - 3 * 86400e3).toISOString(),
      items: [{ sku: 'KOPI-250', category: 'kopi', name: 'Kopi Gayo 250 g', quantity: 1, unitPrice: rupiah(85_000) }],
    },
    { 'Idempotency-Key': randomUUID() },
  );
  const offer = await apiPost('/api/v1/offers', {
    name: 'Kopi → dripper V60',
    kind: 'cross_sell',
    trigger: { skus: ['KOPI-250'] },
    suggestion: { sku: 'V60-02', name: 'Dripper V60' },
    message: { id: 'Seduh kopimu dengan V60, lebih jernih.', en: 'Brew it with a V60 for a cleaner cup.' },
    voucher: { kind: 'amount', value: rupiah(20_000), validDays: 14 },
    bonusPoints: 50,
    startsAt: new Date(Date.now() - 3600e3).toISOString(),
    endsAt: new Date(Date.now() + 30 * 86400e3).toISOString(),
  });

  // ——— The member app on a 360 px phone: "Offers for you" under the card, with the voucher's QR. ———
  const phoneContext = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const app = await phoneContext.newPage();
  await signInMember(app, signup.slug, phone);
  const card = app.getByTestId('member-offer');
  await card.waitFor({ timeout: 15_000 });
  expect(await card.getAttribute('data-offer-id')).toBe(offer.id);
  expect(await card.getByTestId('member-offer-item').textContent()).toBe('Coba: Dripper V60');
  expect(await card.getByTestId('member-offer-message').textContent()).toBe('Seduh kopimu dengan V60, lebih jernih.');
  expect(await card.getByTestId('member-offer-points').textContent()).toBe('+50 poin bila Anda membelinya');
  const code = (await card.getByTestId('member-offer-voucher').getAttribute('data-code'))!;
  expect(code).toMatch(/^[0-9A-Z]{6,}$/);
  // (Amounts keep "Rp" and the number together with a no-break space.)
  expect((await card.getByTestId('member-offer-gift').textContent())?.replace(/\s+/g, ' ')).toBe('Voucher Rp 20.000');
  await card.getByTestId('voucher-qr').locator('svg').waitFor();
  // The card's own QR is still there first: the offers came after it.
  await app.getByTestId('card-qr').locator('svg, canvas, img').first().waitFor();
  await expectAccessible(app, 'member app with an offer');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);
  // In English too.
  await app.getByTestId('lang-switch').click();
  await expect.poll(() => card.getByTestId('member-offer-item').textContent()).toBe('Try: Dripper V60');
  expect(await card.getByTestId('member-offer-message').textContent()).toBe('Brew it with a V60 for a cleaner cup.');
  expect(await card.getByTestId('member-offer-points').textContent()).toBe('+50 points when you buy it');
  await expectAccessible(app, 'member app with an offer, in English');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);
  const memberCard = await (await phoneContext.request.get(`${server.url}/api/v1/me/card`)).json();
  await phoneContext.close();

  // ——— The till on a 10-inch tablet held sideways: the scan brings the suggestion and the same voucher. ———
  const tillContext = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const till = await tillContext.newPage();
  const calls: { method: string; path: string; body: string | null }[] = [];
  till.on('request', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/api/')) calls.push({ method: req.method(), path: url.pathname, body: req.postData() });
  });
  await till.goto(`${server.url}/portal/login`);
  await till.getByTestId('login-email').fill(`kasir-${id}@e2e.kartu`);
  await till.getByTestId('login-password').fill(PASSWORD);
  await till.getByTestId('login-submit').click();
  await till.waitForURL(/\/portal\/till/);
  await till.getByTestId('scan-input').fill(memberCard.code);
  await till.getByTestId('scan-input').press('Enter');
  const suggestion = till.locator(`[data-testid="till-offer"][data-offer-id="${offer.id}"]`);
  await suggestion.waitFor(slow);
  expect(await suggestion.getByTestId('till-offer-item').textContent()).toBe('Sarankan: Dripper V60');
  expect(await suggestion.getByTestId('till-offer-message').textContent()).toBe('Seduh kopimu dengan V60, lebih jernih.');
  expect(await suggestion.getByTestId('till-offer-voucher').textContent()).toContain(code);
  expect(await suggestion.getByTestId('till-offer-voucher').textContent()).toContain('Potongan Rp 20.000');
  expect(await suggestion.getByTestId('till-offer-points').textContent()).toBe('+50 poin bila dibeli');
  // Nothing but the scan was asked for the suggestion.
  expect(calls.filter((c) => c.path.includes('/offers'))).toEqual([]);
  await expectAccessible(till, 'till with a suggestion');
  // The suggestion sits beside the sale, not above it: on the tablet held sideways or upright, the
  // suggestion with its button and the whole sale form (receipt, total, post) are on the screen at once.
  for (const viewport of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }]) {
    await till.setViewportSize(viewport);
    await till.evaluate('window.scrollTo(0, 0)');
    for (const target of [suggestion.getByTestId('till-offer-add'), till.getByTestId('receipt-input'), till.getByTestId('total-input'), till.getByTestId('post-sale')]) {
      const box = (await target.boundingBox())!;
      expect(box.y, `${await target.getAttribute('data-testid')} at ${viewport.width}×${viewport.height}`).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height, `${await target.getAttribute('data-testid')} at ${viewport.width}×${viewport.height}`).toBeLessThanOrEqual(viewport.height);
    }
    expect(await pageWidth(till)).toBeLessThanOrEqual(viewport.width);
  }
  await till.setViewportSize({ width: 1280, height: 800 });

  // One click: the dripper goes on the sale (its price asked for) and the voucher is applied.
  expect(await suggestion.getByTestId('till-offer-add').textContent()).toContain(`Tambahkan Dripper V60 dan pakai ${code}`);
  // (From the keyboard: Enter on the button.)
  await suggestion.getByTestId('till-offer-add').press('Enter');
  await till.locator(`[data-testid="voucher-chip"][data-code="${code}"]`).waitFor(slow);
  await expect.poll(() => focused(till), slow).toBe('offer-item-price');
  expect(await suggestion.getByTestId('till-offer-add').textContent()).toContain('Sudah di penjualan');
  await till.getByTestId('receipt-input').fill(`D-${id}`);
  await till.getByTestId('total-input').fill('100.000');
  await till.getByTestId('offer-item-price').fill('250.000');
  await till.getByTestId('offer-item-price').press('Enter');
  await expect.poll(() => till.getByTestId('evaluated-total').textContent(), slow).toBe('Rp 330.000');
  await expectAccessible(till, 'till with the suggested item on the sale');
  await till.getByTestId('post-sale').click();
  await expect.poll(() => till.getByTestId('posted-total').textContent(), slow).toBe('Rp 330.000');
  expect(await till.getByTestId('vouchers-used').textContent()).toContain(code);
  const posted = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/transactions');
  expect(JSON.parse(posted!.body!).items).toEqual([
    { sku: 'SALE', name: 'Penjualan', quantity: 1, unitPrice: rupiah(100_000) },
    { sku: 'V60-02', name: 'Dripper V60', quantity: 1, unitPrice: rupiah(250_000) },
  ]);
  await tillContext.close();

  // ——— Through the API: shown in the app and at the till, converted once, the voucher used, the bonus given. ———
  const results = await apiGet(`/api/v1/offers/${offer.id}/results`);
  expect(results).toMatchObject({ shown: 2, reached: 1, converted: 1, conversionRate: 1 });
  expect(results.revenue).toBeGreaterThan(0);
  expect(results.revenue).toBeLessThanOrEqual(rupiah(250_000));
  const showings = (await apiGet(`/api/v1/members/${member.id}/offers`)).items as { channel: string; convertedAt: string | null }[];
  expect(showings.map((s) => [s.channel, s.convertedAt !== null])).toEqual([
    ['till', true],
    ['app', false],
  ]);
  expect((await apiGet(`/api/v1/vouchers/${code}`)).uses).toBe(1);
  const points = await apiGet(`/api/v1/members/${member.id}/points`);
  expect(points.entries.items).toContainEqual(expect.objectContaining({ kind: 'bonus', points: 50, reference: `offer:${offer.id}` }));

  // ——— The portal: the offer's results with the chart and the numbers per day; the member's showings. ———
  const portal = await signInPortal(browser, server.url, `owner-${id}@e2e.kartu`);
  await portal.goto(`${server.url}/portal/programs/offers/${offer.id}`);
  await expect.poll(() => portal.getByTestId('results-converted').textContent(), slow).toBe('1');
  expect(await portal.getByTestId('results-shown').textContent()).toBe('2');
  expect(await portal.getByTestId('results-rate').textContent()).toBe('100%');
  await portal.getByTestId('offer-chart').waitFor();
  expect(await portal.getByTestId('offer-chart').locator('rect').count()).toBe(2);
  const days = portal.getByTestId('results-day');
  expect(await days.count()).toBe(1);
  expect(await days.locator('td').allTextContents()).toEqual(['2', '1', `Rp ${new Intl.NumberFormat('id-ID').format(Math.trunc(results.revenue / 100))}`]);
  await expectAccessible(portal, 'offer results');

  // A window without showings says so.
  await portal.getByTestId('results-from').fill('2020-01-01');
  await portal.getByTestId('results-to').fill('2020-01-31');
  await portal.getByTestId('results-apply').click();
  await portal.getByTestId('results-none').waitFor(slow);
  expect(await portal.getByTestId('results-shown').textContent()).toBe('0');

  // The list shows the figures of the last 30 days.
  await portal.goto(`${server.url}/portal/programs/offers`);
  const row = portal.locator(`[data-testid="offer-row"][data-id="${offer.id}"]`);
  await expect.poll(() => row.getByTestId('offer-shown').textContent(), slow).toBe('2');
  expect(await row.getByTestId('offer-rate').textContent()).toContain('100%');

  await portal.goto(`${server.url}/portal/members/${member.id}`);
  // The member page shows offers in their own tab (member 360° view).
  await portal.getByTestId('member-tab-offers').click();
  await portal.getByTestId('member-offers').scrollIntoViewIfNeeded();
  const memberShowings = portal.getByTestId('member-offer');
  await memberShowings.first().waitFor({ timeout: 15_000 });
  expect(await Promise.all((await memberShowings.all()).map((row) => row.getAttribute('data-converted')))).toEqual(['yes', 'no']);
  expect(await portal.getByTestId('member-offers').textContent()).toContain('Kopi → dripper V60');
  await expectAccessible(portal, 'member page with offers shown');
  await portal.context().close();
});
