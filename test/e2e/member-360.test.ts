import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let phoneApp: APIRequestContext;

beforeAll(async () => {
  // Demo mode so the outbox shows the member's sign-in code (the test signs the member in with it).
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  phoneApp = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await phoneApp?.dispose();
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function post(context: APIRequestContext, path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await context.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}
const apiGet = async (path: string) => (await owner.get(path)).json();
const slow = { timeout: 10_000 };
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent())?.replace(/\s+/g, ' ').trim();

/** A member with a sale with items (using a public voucher), a personal voucher, a feedback thread answered by message, and a segment. */
async function seed(id: string) {
  const signup = await post(owner, '/api/v1/signup', { retailerName: `Toko Kopi ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `kopi-${id}` });
  const store = await post(owner, '/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  const phone = newPhone();
  const member = await post(owner, '/api/v1/members', { name: 'Sari Wulandari', phone });
  const expiresAt = new Date(Date.now() + 30 * 86400e3).toISOString();
  await post(owner, '/api/v1/vouchers/batches', { count: 1, kind: 'amount', value: 1_000_000, code: `HEMAT${id}`.toUpperCase(), expiresAt });
  await post(owner, '/api/v1/vouchers/batches', { count: 1, kind: 'percent', value: 20, memberId: member.id, expiresAt });
  await post(
    owner,
    '/api/v1/transactions',
    {
      memberId: member.id, storeId: store.id, receiptNo: `R-${id}`, voucherCodes: [`HEMAT${id}`],
      items: [
        { sku: 'KOPI-250', name: 'Kopi Gayo 250 g', quantity: 2, unitPrice: 8_500_000 },
        { sku: 'V60-02', name: 'Dripper V60', quantity: 1, unitPrice: 25_000_000 },
      ],
    },
    { 'Idempotency-Key': randomUUID() },
  );
  await post(owner, '/api/v1/segments', { code: 'pembeli', name: 'Pembeli bulan ini', rules: { match: 'all', conditions: [{ type: 'visits', withinDays: 30, min: 1 }] } });
  await post(owner, '/api/v1/segments', { code: 'sultan', name: 'Belanja besar', rules: { match: 'all', conditions: [{ type: 'spend', withinDays: 30, min: 1_000_000_000 }] } });

  await post(phoneApp, '/api/v1/member-auth/otp', { slug: signup.slug, phone });
  const [code] = await codesSentTo((path) => owner.get(path), phone);
  await post(phoneApp, '/api/v1/member-auth/verify', { slug: signup.slug, phone, code });
  const thread = await post(phoneApp, '/api/v1/me/feedback', { kind: 'complaint', text: 'Antrean kasir panjang sekali' });
  await post(owner, `/api/v1/feedback/${thread.id}/replies`, { text: 'Maaf, kami tambah kasir.' });
  return { member, code: code as string };
}

it('an owner sees every side of a member in tabs, adjusts points with a reason, and the page is accessible', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const { member, code } = await seed(id);
  const before = await apiGet(`/api/v1/members/${member.id}/points`);

  const page = await signInPortal(browser, server.url, `owner-${id}@e2e.kartu`);
  await page.goto(`${server.url}/portal/members/${member.id}`);

  // Overview: balance, pending, tier and stage at once; the other tabs' lists are not loaded yet.
  await page.getByTestId('member-standing').waitFor();
  expect(await text(page, 'member-balance')).toBe(new Intl.NumberFormat('en-US').format(before.balance));
  expect(await text(page, 'member-stage')).toBe('New');
  expect(await page.getByTestId('member-vouchers').count()).toBe(0);
  await page.getByTestId('card-qr').waitFor();
  await expectAccessible(page, 'member overview');

  // The tabs follow the keyboard: arrow right from Overview selects Points.
  await page.getByTestId('member-tab-overview').focus();
  await page.keyboard.press('ArrowRight');
  expect(await page.getByTestId('member-tab-points').getAttribute('aria-selected')).toBe('true');
  expect(await page.locator(':focus').getAttribute('data-testid')).toBe('member-tab-points');
  expect(new URL(page.url()).searchParams.get('tab')).toBe('points');

  // Points: the ledger, then an adjustment needs a reason.
  const ledger = page.getByTestId('ledger-entry');
  await expect.poll(() => ledger.count(), slow).toBeGreaterThan(0);
  await page.getByTestId('adjust-points').fill('500');
  await page.getByTestId('adjust-submit').click();
  await expect.poll(() => page.getByTestId('adjust-reason').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#adjust-reason-error').textContent()).toBe('Give a reason of at least 3 characters.');
  await page.getByTestId('adjust-reason').fill('Kompensasi antrean panjang');
  await page.getByTestId('adjust-submit').click();
  await expect.poll(() => text(page, 'adjust-notice'), slow).toBe('500 points added.');
  await expect.poll(() => text(page, 'ledger-reason'), slow).toBe('Kompensasi antrean panjang');
  expect(await page.getByTestId('lots-table').count()).toBe(1);
  const after = await apiGet(`/api/v1/members/${member.id}/points`);
  expect(after.balance).toBe(before.balance + 500);
  expect(after.entries.items[0]).toMatchObject({ kind: 'adjust', points: 500, note: 'Kompensasi antrean panjang' });
  // The overview's balance follows.
  expect(await text(page, 'member-balance')).toBe(new Intl.NumberFormat('en-US').format(after.balance));
  await expectAccessible(page, 'member points tab');

  // Purchases: the sale with its items, amounts in rupiah.
  await page.getByTestId('member-tab-sales').click();
  const sale = page.getByTestId('sale');
  await sale.first().waitFor(slow);
  expect(await sale.textContent()).toContain(`R-${id}`);
  expect(await sale.textContent()).toContain('Kopi Gayo 250 g');
  expect(await sale.textContent()).toContain('Dripper V60');
  expect(await sale.textContent()).toContain('Rp 410.000');

  // Vouchers: the personal one, still usable, and the public code the member used.
  await page.getByTestId('member-tab-vouchers').click();
  const vouchers = page.getByTestId('member-voucher');
  await expect.poll(() => vouchers.count(), slow).toBe(2);
  const used = page.locator(`[data-testid="member-voucher"][data-code="HEMAT${id.toUpperCase()}"]`);
  expect(await used.getAttribute('data-status')).toBe('used_up');
  expect(await used.textContent()).toContain('1 by this member');
  expect(await page.locator('[data-testid="member-voucher"][data-status="active"]').textContent()).toContain('20% off');

  // Offers: none shown to this member yet.
  await page.getByTestId('member-tab-offers').click();
  await expect.poll(() => page.getByTestId('member-offers').textContent(), slow).not.toContain('Loading');

  // Segments: in "Pembeli bulan ini", not in "Belanja besar".
  await page.getByTestId('member-tab-segments').click();
  await expect.poll(() => page.getByTestId('member-segment').allTextContents(), slow).toEqual([expect.stringContaining('Pembeli bulan ini')]);

  // Messages: the feedback reply (not sent: no transport) and the sign-in code, whose body is never shown.
  await page.getByTestId('member-tab-messages').click();
  const messages = page.getByTestId('member-message');
  await expect.poll(() => messages.count(), slow).toBe(2);
  const reply = page.locator('[data-testid="member-message"][data-purpose="feedback_reply"]');
  expect(await reply.textContent()).toContain('Maaf, kami tambah kasir.');
  expect(await reply.getAttribute('data-status')).toBe('unconfigured');
  const otp = page.locator('[data-testid="member-message"][data-purpose="otp"]');
  expect(await otp.textContent()).toContain('One-time code (not shown)');
  expect(await page.getByTestId('member-messages').textContent()).not.toContain(code);

  // Feedback: the complaint, answered.
  await page.getByTestId('member-tab-feedback').click();
  const thread = page.getByTestId('member-feedback-thread');
  await thread.first().waitFor(slow);
  expect(await thread.textContent()).toContain('Antrean kasir panjang sekali');
  expect(await thread.textContent()).toContain('In progress');

  // Audit: the adjustment with its reason, and the feedback reply.
  await page.getByTestId('member-tab-audit').click();
  const adjusted = page.locator('[data-testid="member-audit-entry"][data-action="points.adjusted"]');
  await adjusted.waitFor(slow);
  expect(await adjusted.textContent()).toContain('Points adjusted');
  expect(await adjusted.textContent()).toContain('Kompensasi antrean panjang');
  expect(await page.locator('[data-testid="member-audit-entry"][data-action="feedback.replied"]').count()).toBe(1);
  await expectAccessible(page, 'member audit tab');

  // A reload keeps the tab.
  await page.reload();
  await expect.poll(() => page.getByTestId('member-tab-audit').getAttribute('aria-selected'), slow).toBe('true');
  await page.context().close();
});

it('in Bahasa Indonesia the tabs are translated, and a cashier sees no messages, feedback, audit or adjustment', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  await post(owner, '/api/v1/signup', { retailerName: `Toko Teh ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `teh-${id}` });
  const store = await post(owner, '/api/v1/stores', { code: 'SBY', name: 'Toko Surabaya' });
  await post(owner, '/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const member = await post(owner, '/api/v1/members', { name: 'Budi Santoso', phone: newPhone() });

  const page = await signInPortal(browser, server.url, `kasir-${id}@e2e.kartu`, { locale: 'id-ID' });
  await page.goto(`${server.url}/portal/members/${member.id}?tab=points`);
  const tabs = page.getByRole('tablist');
  await tabs.waitFor();
  expect(await tabs.getByRole('tab').allTextContents()).toEqual(['Ringkasan', 'Poin', 'Pembelian', 'Voucher & hadiah', 'Penawaran', 'Segmen']);
  expect(await page.getByRole('tab', { name: 'Poin' }).getAttribute('aria-selected')).toBe('true');
  await page.getByTestId('member-points').waitFor();
  await expect.poll(() => page.getByTestId('member-points').textContent(), slow).toContain('Belum ada poin.');
  expect(await page.getByTestId('points-adjust').count()).toBe(0);
  await expectAccessible(page, 'member points tab for a cashier, in Bahasa Indonesia');
  await page.context().close();
});
