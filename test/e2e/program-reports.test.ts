import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatMoney } from '../../api/client/format.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The program reports in the portal: a small retailer built through the API (two stores, members
// with sales at each in the last weeks, a reward redeemed, an offer shown and converted), then a
// marketer opens each report from the menu and the figures on screen are the API's, for all stores
// and for one store chosen in the filter; one report is read in Bahasa Indonesia too.

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

async function apiPost(path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await owner.post(path, { data, headers: { 'Idempotency-Key': randomUUID(), ...headers } });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86400e3).toISOString();
const en = (n: number) => new Intl.NumberFormat('en-US').format(n);
const pct = (share: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(share);
const text = async (page: Page, row: string, cell: string) => (await page.getByTestId(row).getByTestId(cell).textContent())?.trim();

async function chooseStore(page: Page, storeId: string) {
  await page.getByTestId('report-store').selectOption(storeId);
  await page.getByTestId('report-apply').click();
  await expect.poll(() => page.url()).toContain(`storeId=${storeId}`);
  await page.getByRole('status').filter({ hasText: 'Report updated.' }).waitFor();
}

it('a marketer opens each program report; the charts’ tables show the API’s figures, for all stores and for one', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Laporan ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `lap-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  const kemang = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  const depok = await apiPost('/api/v1/stores', { code: 'DPK', name: 'Toko Depok' });

  const sales: Record<string, { days: number; store: string; sku?: string; rupiah: number }[]> = {
    Sari: [{ days: 20, store: kemang.id, rupiah: 150_000 }, { days: 9, store: kemang.id, rupiah: 80_000 }, { days: 2, store: depok.id, rupiah: 60_000 }],
    Bayu: [{ days: 12, store: depok.id, rupiah: 250_000 }],
    Tono: [{ days: 5, store: kemang.id, sku: 'KOPI-250', rupiah: 85_000 }],
    Yani: [],
  };
  const ids: Record<string, string> = {};
  let receipt = 0;
  for (const [name, list] of Object.entries(sales)) {
    const member = await apiPost('/api/v1/members', { name: `${name} ${id}`, phone: newPhone() });
    ids[name] = member.id;
    for (const sale of list) {
      await apiPost('/api/v1/transactions', {
        memberId: member.id, storeId: sale.store, receiptNo: `R-${id}-${++receipt}`, occurredAt: daysAgo(sale.days),
        items: [{ sku: sale.sku ?? 'ROTI-1', quantity: 1, unitPrice: sale.rupiah * 100 }],
      });
    }
  }
  // A reward for 20 points, redeemed by Sari; an offer shown to Tono online and converted at Kemang.
  const reward = await apiPost('/api/v1/rewards', { name: 'Kopi gratis', pointsCost: 20, fulfilment: 'voucher', voucher: { kind: 'amount', value: 1_000_000, validDays: 30 } });
  await apiPost(`/api/v1/rewards/${reward.id}/redemptions`, { memberId: ids.Sari, storeId: kemang.id });
  const offer = await apiPost('/api/v1/offers', {
    name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI-250'] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
    message: { id: 'Coba V60', en: 'Try a V60' }, startsAt: daysAgo(1), endsAt: new Date(Date.now() + 30 * 86400e3).toISOString(),
  });
  await apiPost(`/api/v1/offers/${offer.id}/showings`, { memberId: ids.Tono });
  await apiPost('/api/v1/transactions', { memberId: ids.Tono, storeId: kemang.id, receiptNo: `R-${id}-${++receipt}`, items: [{ sku: 'V60', quantity: 1, unitPrice: 17_500_000 }] });
  await apiPost('/api/v1/rfm/recompute', {});

  const page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);

  // 1. Acquisition funnel, all stores and then Depok.
  await openFromMenu(page, 'Reports', 'Acquisition funnel');
  await page.waitForURL(/\/portal\/reports\/acquisition/);
  await page.getByTestId('funnel-table').waitFor();
  const funnel = await apiGet('/api/v1/reports/acquisition');
  expect(funnel.total).toMatchObject({ prospects: 4, firstPurchase: 3, repeat: 2 });
  expect(await text(page, 'funnel-row-total', 'prospects')).toBe('4');
  expect(await text(page, 'funnel-row-total', 'first')).toBe(`3 (${pct(0.75)})`);
  expect(await text(page, 'funnel-row-in_store', 'repeat')).toBe(`${funnel.bySource[0].repeat} (${pct(funnel.bySource[0].repeatRate)})`);
  await expectAccessible(page, 'acquisition funnel');
  await chooseStore(page, depok.id);
  const funnelDepok = await apiGet(`/api/v1/reports/acquisition?storeId=${depok.id}`);
  expect(funnelDepok.total).toMatchObject({ prospects: 4, firstPurchase: 2, repeat: 0 });
  expect(await text(page, 'funnel-row-total', 'first')).toBe(`2 (${pct(0.5)})`);
  expect(await text(page, 'funnel-row-total', 'repeat')).toBe(`0 (${pct(0)})`);

  // 2. Retention cohorts: everyone joined this month.
  await openFromMenu(page, 'Reports', 'Retention cohorts');
  await page.waitForURL(/\/portal\/reports\/retention/);
  await page.getByTestId('cohort-table').waitFor();
  const cohorts = await apiGet('/api/v1/reports/retention');
  const current = cohorts.cohorts.at(-1);
  expect(current.members).toBe(4);
  expect(await text(page, `cohort-${current.month}`, 'members')).toBe('4');
  const cell = page.getByTestId(`cohort-${current.month}`).getByTestId('cell-0');
  expect(await cell.getAttribute('data-active')).toBe(String(current.months[0].active));
  expect(await cell.locator('[aria-hidden="true"]').textContent()).toBe(`${pct(current.months[0].share)} (${current.months[0].active})`);
  await expectAccessible(page, 'retention cohorts');

  // 3. RFM grid, all scored members and then Kemang's buyers.
  await openFromMenu(page, 'Reports', 'RFM grid by period');
  await page.waitForURL(/\/portal\/reports\/rfm-grid/);
  await page.getByTestId('rfm-grid-table').waitFor();
  const grid = await apiGet('/api/v1/reports/rfm-grid');
  expect(grid.customers).toBe(3);
  expect(await page.getByTestId('rfm-grid-customers').textContent()).toBe('3');
  expect(await page.getByTestId('rfm-grid-monetary').textContent()).toBe(formatMoney(grid.monetary, 'IDR', 'en'));
  for (const c of grid.cells as { r: number; f: number; members: number; monetary: number }[]) {
    const shown = page.getByTestId(`rfm-grid-cell-${c.r}-${c.f}`);
    expect(await shown.getAttribute('data-members'), `R ${c.r} F ${c.f}`).toBe(String(c.members));
    expect(await shown.textContent()).toContain(formatMoney(c.monetary, 'IDR', 'en'));
  }
  await expectAccessible(page, 'RFM grid');
  await chooseStore(page, kemang.id);
  const gridKemang = await apiGet(`/api/v1/reports/rfm-grid?storeId=${kemang.id}`);
  expect(gridKemang.customers).toBe(2); // Sari and Tono
  expect(await page.getByTestId('rfm-grid-customers').textContent()).toBe('2');

  // 4. Active members by week.
  await openFromMenu(page, 'Reports', 'Active members');
  await page.waitForURL(/\/portal\/reports\/active/);
  await page.getByTestId('active-table').waitFor();
  await page.getByTestId('report-bucket').selectOption('week');
  await page.getByTestId('report-apply').click();
  await page.getByRole('status').filter({ hasText: 'Report updated.' }).waitFor();
  const query = new URL(page.url()).search;
  expect(query).toContain('bucket=week');
  const active = await apiGet(`/api/v1/reports/active-members${query}`);
  expect(active.buckets.reduce((sum: number, b: { joined: number }) => sum + b.joined, 0)).toBe(4);
  for (const b of active.buckets as { start: string; active: number; joined: number; total: number }[]) {
    expect(await text(page, `active-row-${b.start}`, 'active'), b.start).toBe(en(b.active));
    expect(await text(page, `active-row-${b.start}`, 'joined')).toBe(en(b.joined));
    expect(await text(page, `active-row-${b.start}`, 'total')).toBe(en(b.total));
  }
  await expectAccessible(page, 'active members');

  // 5. Redemption, all stores and then Kemang.
  await openFromMenu(page, 'Reports', 'Redemption rate');
  await page.waitForURL(/\/portal\/reports\/redemption/);
  await page.getByTestId('points-figures').waitFor();
  const redemption = await apiGet('/api/v1/reports/redemption');
  // 1 point per Rp 10.000: 15 + 8 + 6 + 25 + 8 + 17, and the reward's 20 points.
  expect(redemption.points).toMatchObject({ issued: 79, redeemed: 20, expired: 0 });
  expect(await page.getByTestId('points-issued').textContent()).toBe('79');
  expect(await page.getByTestId('points-redeemed').textContent()).toBe('20');
  expect(await page.getByTestId('points-redemption-rate').textContent()).toBe(pct(redemption.points.redemptionRate));
  expect(await text(page, 'vouchers-row-reward', 'issued')).toBe('1');
  expect(await text(page, 'vouchers-row-total', 'issued')).toBe(en(redemption.vouchers.issued));
  expect(await page.getByTestId('reward-row').getByTestId('redeemed').textContent()).toBe('1');
  await expectAccessible(page, 'redemption');
  await chooseStore(page, kemang.id);
  const redemptionKemang = await apiGet(`/api/v1/reports/redemption?storeId=${kemang.id}`);
  expect(redemptionKemang.points.issued).toBe(15 + 8 + 8 + 17);
  expect(await page.getByTestId('points-issued').textContent()).toBe(en(redemptionKemang.points.issued));
  expect(await text(page, 'vouchers-row-reward', 'issued')).toBe('1'); // the reward was redeemed at Kemang

  // 7. Automation results and satisfaction (parts A and C's figures) for the same filters.
  await openFromMenu(page, 'Reports', 'Automations & satisfaction');
  await page.waitForURL(/\/portal\/reports\/retain/);
  await page.getByTestId('ratings-count').waitFor();
  const automations = await apiGet('/api/v1/automations');
  expect(await page.getByTestId('automations-table').or(page.getByTestId('no-automations')).count()).toBe(1);
  if (automations.items.length) expect(await page.getByTestId('automations-table').locator('tbody tr').count()).toBe(automations.items.length);
  const satisfaction = await apiGet(`/api/v1/feedback/satisfaction?from=${cohorts.from.slice(0, 10)}`);
  expect(satisfaction.total.count).toBe(0);
  expect(await page.getByTestId('ratings-count').textContent()).toBe('0');
  await expectAccessible(page, 'automations and satisfaction');

  // 6. Offer results, read in Bahasa Indonesia.
  await openFromMenu(page, 'Reports', 'Offer results');
  await page.waitForURL(/\/portal\/reports\/offer-results/);
  await page.getByTestId('offer-results-table').waitFor();
  const offers = await apiGet('/api/v1/reports/offers');
  expect(offers.offers[0]).toMatchObject({ offerId: offer.id, shown: 1, converted: 1, revenue: 17_500_000 });
  expect(await text(page, `offer-row-${offer.id}`, 'shown')).toBe('1');
  expect(await text(page, `offer-row-${offer.id}`, 'rate')).toBe(pct(1));
  expect(await text(page, `offer-row-${offer.id}`, 'revenue')).toBe(formatMoney(17_500_000, 'IDR', 'en'));
  await expectAccessible(page, 'offer results');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await page.getByRole('heading', { name: 'Hasil penawaran', level: 1 }).waitFor();
  expect(await text(page, `offer-row-${offer.id}`, 'revenue')).toBe(formatMoney(17_500_000, 'IDR', 'id'));
  expect(await page.getByTestId('offer-results-table').locator('thead').textContent()).toContain('Pendapatan tambahan');
  await page.context().close();
});
