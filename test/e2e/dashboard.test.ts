import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatMoney } from '../../api/client/format.ts';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The dashboard is where owners, admins and marketers land: a small retailer built through the API
// (two stores, members with sales at each, a guest sale, a reward redeemed), then a marketer signs
// in and the figures on screen are the API's, for all stores and for one chosen in the filter; on a
// 360 px phone in Bahasa Indonesia nothing scrolls sideways; a cashier still lands on the till.

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
  const res = await owner.post(path, { data, headers: { 'Idempotency-Key': randomUUID() } });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

const DAY = 86400e3;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
/** The Jakarta calendar date `days` before today. */
const jakartaDate = (days = 0) => new Date(Date.now() + 7 * 3600e3 - days * DAY).toISOString().slice(0, 10);
const en = (n: number) => new Intl.NumberFormat('en-US').format(n);
const idr = (minor: number) => formatMoney(minor, 'IDR', 'en');
const pct = (share: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(share);
const text = async (page: Page, testid: string, inner = 'value') => (await page.getByTestId(testid).getByTestId(inner).textContent())?.trim();

interface Dashboard {
  members: { total: number; new: number; active: number };
  sales: { sales: number; revenue: number; memberSales: number; memberRevenue: number; guestSales: number; memberShare: number | null };
  points: { issued: number; redeemed: number; expired: number };
  liability: { points: number; value: number };
  buckets: { start: string; members: { total: number; new: number; active: number }; sales: { memberSales: number; memberRevenue: number; revenue: number }; points: { issued: number; redeemed: number; expired: number } }[];
  topRewards: { rewardId: string; redeemed: number; points: number }[];
  funnel: { prospects: number; firstPurchase: number; repeat: number; firstPurchaseRate: number; repeatRate: number };
}

/** Every figure on screen is the API's for the same query, in English. */
async function expectFigures(page: Page, api: Dashboard) {
  expect(await text(page, 'kpi-members-total')).toBe(en(api.members.total));
  expect(await text(page, 'kpi-members-new')).toBe(en(api.members.new));
  expect(await text(page, 'kpi-members-active')).toBe(en(api.members.active));
  expect(await text(page, 'kpi-member-revenue')).toBe(idr(api.sales.memberRevenue));
  const share = api.sales.guestSales > 0 ? ` · ${pct(api.sales.memberShare!)} of all sales` : '';
  expect(await text(page, 'kpi-member-revenue', 'detail')).toBe(`${en(api.sales.memberSales)} sales${share}`);
  expect(await text(page, 'kpi-points-issued')).toBe(en(api.points.issued));
  expect(await text(page, 'kpi-points-redeemed')).toBe(en(api.points.redeemed));
  expect(await text(page, 'kpi-points-expired')).toBe(en(api.points.expired));
  expect(await text(page, 'kpi-liability')).toBe(en(api.liability.points));
  expect(await text(page, 'kpi-liability', 'detail')).toBe(`worth ${idr(api.liability.value)}, now, all stores`);
  for (const b of api.buckets) {
    const cells = async (table: string) => page.getByTestId(`dashboard-${table}-row-${b.start}`).locator('td').allTextContents();
    expect(await cells('members'), b.start).toEqual([en(b.members.total), en(b.members.new), en(b.members.active)]);
    expect(await cells('sales'), b.start).toEqual([en(b.sales.memberSales), idr(b.sales.memberRevenue), idr(b.sales.revenue)]);
    expect(await cells('points'), b.start).toEqual([en(b.points.issued), en(b.points.redeemed), en(b.points.expired)]);
  }
  expect(await page.getByTestId('dashboard-sales-table').locator('tbody tr').count()).toBe(api.buckets.length);
  for (const r of api.topRewards) {
    expect(await text(page, `top-rewards-${r.rewardId}`)).toBe(`${en(r.redeemed)}×`);
    expect(await text(page, `top-rewards-${r.rewardId}`, 'detail')).toBe(`${en(r.points)} points`);
  }
  expect(await page.getByTestId('top-rewards-empty').count()).toBe(api.topRewards.length ? 0 : 1);
  expect(await text(page, 'funnel-prospects')).toBe(en(api.funnel.prospects));
  expect(await text(page, 'funnel-first')).toBe(en(api.funnel.firstPurchase));
  expect(await text(page, 'funnel-first', 'detail')).toBe(`${pct(api.funnel.firstPurchaseRate)} of prospects`);
  expect(await text(page, 'funnel-repeat')).toBe(en(api.funnel.repeat));
}

it('a marketer lands on the dashboard; its numbers are the API’s, for all stores and one, and for a preset period', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Dasbor ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `dasbor-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD });
  const kemang = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  const depok = await apiPost('/api/v1/stores', { code: 'DPK', name: 'Toko Depok' });

  // Rp250.000 at Kemang 20 days ago and Rp60.000 at Depok 2 days ago (Sari), Rp250.000 at Depok 12
  // days ago (Bayu), Rp80.000 at Kemang 3 days ago (a guest); Sari redeems a 20-point reward at Kemang.
  const sari = await apiPost('/api/v1/members', { name: `Sari ${id}`, phone: newPhone() });
  const bayu = await apiPost('/api/v1/members', { name: `Bayu ${id}`, phone: newPhone() });
  await apiPost('/api/v1/members', { name: `Yani ${id}`, phone: newPhone() });
  const sale = (memberId: string | undefined, storeId: string, days: number, rupiah: number) =>
    apiPost('/api/v1/transactions', { memberId, storeId, receiptNo: `R-${randomUUID().slice(0, 8)}`, occurredAt: daysAgo(days), items: [{ sku: 'ROTI', quantity: 1, unitPrice: rupiah * 100 }] });
  await sale(sari.id, kemang.id, 20, 250_000);
  await sale(sari.id, depok.id, 2, 60_000);
  await sale(bayu.id, depok.id, 12, 250_000);
  await sale(undefined, kemang.id, 3, 80_000);
  const reward = await apiPost('/api/v1/rewards', { name: 'Kopi gratis', pointsCost: 20, fulfilment: 'voucher', voucher: { kind: 'amount', value: 1_000_000, validDays: 30 } });
  await apiPost(`/api/v1/rewards/${reward.id}/redemptions`, { memberId: sari.id, storeId: kemang.id });

  const page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
  await page.waitForURL(/\/portal\/dashboard$/);
  await page.getByTestId('kpi-members-total').waitFor();
  expect(await page.getByTestId('dashboard-preset').inputValue()).toBe('days30');

  const period = `from=${jakartaDate(29)}&to=${jakartaDate(0)}`;
  const all: Dashboard = await apiGet(`/api/v1/reports/dashboard?${period}`);
  expect(all.members).toEqual({ total: 3, new: 3, active: 2 });
  expect(all.sales).toMatchObject({ sales: 4, memberSales: 3, memberRevenue: 56_000_000, revenue: 64_000_000, guestSales: 1 });
  expect(all.points).toEqual({ issued: 25 + 6 + 25, redeemed: 20, expired: 0 });
  await expectFigures(page, all);
  expect(await text(page, 'kpi-member-revenue')).toBe('Rp 560.000');
  await expectAccessible(page, 'dashboard');
  expect(await pageWidth(page)).toBeLessThanOrEqual(1280);

  // Depok: its two sales, no guest, no reward; the figures change on screen.
  await page.getByTestId('report-store').selectOption(depok.id);
  await page.getByTestId('report-apply').click();
  await expect.poll(() => page.url()).toContain(`storeId=${depok.id}`);
  await page.getByRole('status').filter({ hasText: 'Report updated.' }).waitFor();
  const atDepok: Dashboard = await apiGet(`/api/v1/reports/dashboard?${period}&storeId=${depok.id}`);
  expect(atDepok.sales).toMatchObject({ sales: 2, memberRevenue: 31_000_000, guestSales: 0 });
  await expect.poll(() => text(page, 'kpi-member-revenue')).toBe('Rp 310.000');
  await expectFigures(page, atDepok);
  expect(await text(page, 'kpi-member-revenue', 'detail')).toBe('2 sales');

  // The last 7 days: the preset fills the dates, and the period is what the API counts.
  await page.getByTestId('dashboard-preset').selectOption('days7');
  expect(await page.getByTestId('report-from').inputValue()).toBe(jakartaDate(6));
  await page.getByTestId('report-apply').click();
  await expect.poll(() => page.url()).toContain(`from=${jakartaDate(6)}`);
  const week: Dashboard = await apiGet(`/api/v1/reports/dashboard?from=${jakartaDate(6)}&to=${jakartaDate(0)}&storeId=${depok.id}`);
  expect(week.buckets).toHaveLength(7);
  await expect.poll(() => page.getByTestId('dashboard-sales-table').locator('tbody tr').count()).toBe(7);
  await expectFigures(page, week);
  // Editing a date makes the period custom.
  await page.getByTestId('report-from').fill(jakartaDate(10));
  expect(await page.getByTestId('dashboard-preset').inputValue()).toBe('custom');
  await page.context().close();

  // A phone in Bahasa Indonesia: the same dashboard, nothing wider than the screen.
  const phone = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`, { locale: 'id-ID', width: 360, height: 800 });
  await phone.waitForURL(/\/portal\/dashboard$/);
  await phone.getByTestId('kpi-members-total').waitFor();
  expect(await phone.getByRole('heading', { level: 1 }).textContent()).toBe('Dasbor');
  expect(await text(phone, 'kpi-member-revenue')).toBe('Rp 560.000');
  expect(await text(phone, 'kpi-member-revenue', 'detail')).toBe(`3 transaksi · ${new Intl.NumberFormat('id-ID', { style: 'percent', maximumFractionDigits: 1 }).format(all.sales.memberShare!)} dari seluruh penjualan`);
  expect(await pageWidth(phone)).toBeLessThanOrEqual(360);
  await expectAccessible(phone, 'dashboard at 360 px in Bahasa Indonesia');
  await phone.context().close();

  // A cashier still lands on the till.
  const till = await signInPortal(browser, server.url, `kasir-${id}@e2e.kartu`, { width: 390, height: 844 });
  await till.waitForURL(/\/portal\/till/);
  await till.context().close();
});
