import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatMoney } from '../../api/client/format.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// RFM in the portal: with a few members and purchases posted through the API, a marketer
// recomputes the scores from the report screen; the grid shows the counts the API reports, and a
// member page shows that member's scores, customer value and purchase profile as /profile returns them.

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
  const res = await owner.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** Scrolling the panel near loads its code and data; it may have loaded (and replaced the placeholder) already. */
async function scrollToProfile(page: Page) {
  const pending = page.getByTestId('member-profile-pending');
  if (await pending.count()) await pending.scrollIntoViewIfNeeded().catch(() => undefined);
  await page.getByTestId('member-profile').waitFor();
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86400e3).toISOString();
const en = (n: number) => new Intl.NumberFormat('en-US').format(n);

interface Profile {
  rfmWindowMonths: number;
  clvHorizonMonths: number;
  rfm: { r: number; f: number; m: number; recencyDays: number; frequency: number; monetary: number; clv: number } | null;
  purchases: { count: number; spend: number; averageOrderValue: number | null; averageDaysBetween: number | null; byWeekday: number[]; categories: { category: string | null; quantity: number; spend: number }[] };
}

it('a marketer recomputes RFM from the report, the grid matches the API, and a member page shows the scores and purchase profile of /profile', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko RFM ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `rfm-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  // Not the defaults (12 and 36 months): the member page must show the window and horizon the
  // scores were worked out with, which /profile reports.
  const lifecycle = await owner.patch('/api/v1/settings/lifecycle', { data: { rfmWindowMonths: 6, clvHorizonMonths: 24 } });
  expect(lifecycle.status(), await lifecycle.text()).toBe(200);

  type Line = { sku: string; category?: string; quantity: number; rupiah: number };
  const histories: Record<string, { days: number; lines: Line[] }[]> = {
    // Sari: often, recently, two categories.
    Sari: [
      { days: 27, lines: [{ sku: 'KOPI-1', category: 'kopi', quantity: 2, rupiah: 25_000 }] },
      { days: 18, lines: [{ sku: 'KOPI-1', category: 'kopi', quantity: 1, rupiah: 25_000 }, { sku: 'ROTI-1', category: 'roti', quantity: 3, rupiah: 12_000 }] },
      { days: 9, lines: [{ sku: 'KOPI-1', category: 'kopi', quantity: 4, rupiah: 25_000 }] },
      { days: 1, lines: [{ sku: 'ROTI-2', category: 'roti', quantity: 1, rupiah: 40_000 }, { sku: 'TAS-1', quantity: 1, rupiah: 150_000 }] },
    ],
    Bayu: [{ days: 25, lines: [{ sku: 'ROTI-1', category: 'roti', quantity: 1, rupiah: 12_000 }] }],
    Tono: [
      { days: 14, lines: [{ sku: 'SUSU-1', category: 'susu', quantity: 1, rupiah: 80_000 }] },
      { days: 6, lines: [{ sku: 'SUSU-1', category: 'susu', quantity: 2, rupiah: 80_000 }] },
    ],
    Wulan: [{ days: 3, lines: [{ sku: 'KOPI-1', category: 'kopi', quantity: 1, rupiah: 25_000 }] }],
    Yani: [],
  };
  const ids: Record<string, string> = {};
  let receipt = 0;
  for (const [name, sales] of Object.entries(histories)) {
    const member = await apiPost('/api/v1/members', { name: `${name} ${id}`, phone: newPhone() });
    ids[name] = member.id;
    for (const sale of sales) {
      await apiPost(
        '/api/v1/transactions',
        {
          memberId: member.id, storeId: store.id, receiptNo: `R-${id}-${++receipt}`, occurredAt: daysAgo(sale.days),
          items: sale.lines.map((l) => ({ sku: l.sku, ...(l.category ? { category: l.category } : {}), quantity: l.quantity, unitPrice: l.rupiah * 100 })),
        },
        { 'Idempotency-Key': randomUUID() },
      );
    }
  }

  const page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
  await openFromMenu(page, 'Reports', 'RFM & customer value');
  await page.waitForURL(/\/portal\/reports\/rfm$/);
  await page.getByTestId('rfm-recompute').waitFor();

  const clickedAt = Date.now();
  await page.getByTestId('rfm-recompute').click();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Scores recomputed' }).textContent()).toBe('Scores recomputed for 4 customers.');
  const report = await apiGet('/api/v1/reports/rfm');
  expect(Date.parse(report.computedAt)).toBeGreaterThanOrEqual(clickedAt - 1000);
  expect(report.customers).toBe(4);
  expect(await page.getByTestId('rfm-customers').textContent()).toBe('4');
  expect(await page.getByTestId('rfm-computed-at').textContent()).toContain('Scores computed');
  for (const cell of report.cells as { r: number; f: number; members: number; averageMonetary: number | null }[]) {
    const shown = page.getByTestId(`rfm-cell-${cell.r}-${cell.f}`);
    expect(await shown.getAttribute('data-members'), `R ${cell.r} F ${cell.f}`).toBe(String(cell.members));
    const text = await shown.textContent();
    expect(text).toContain(cell.members === 1 ? '1 customer' : `${cell.members} customers`);
    if (cell.averageMonetary !== null) expect(text).toContain(`avg ${formatMoney(cell.averageMonetary)}`);
  }
  // The regions add up to everyone scored.
  const regionTotals = await page.getByTestId('rfm-regions').locator('tbody td.number').allTextContents();
  expect(regionTotals.map(Number).reduce((a, b) => a + b, 0)).toBe(4);
  await expectAccessible(page, 'RFM report');

  // Sari's member page: the profile loads when scrolled to, with what /profile says.
  const profile = (await apiGet(`/api/v1/members/${ids.Sari}/profile`)) as Profile;
  expect(profile.rfm).not.toBeNull();
  const rfm = profile.rfm!;
  expect(profile).toMatchObject({ rfmWindowMonths: 6, clvHorizonMonths: 24 });
  await page.goto(`${server.url}/portal/members/${ids.Sari}`);
  await page.getByTestId('member-balance').waitFor();
  await scrollToProfile(page);
  const panel = page.getByTestId('member-profile');
  await panel.getByTestId('profile-r-score').waitFor();
  expect(await panel.getByTestId('profile-r-score').textContent()).toBe(`${rfm.r} of 5`);
  expect(await panel.getByTestId('profile-f-score').textContent()).toBe(`${rfm.f} of 5`);
  expect(await panel.getByTestId('profile-m-score').textContent()).toBe(`${rfm.m} of 5`);
  expect(await panel.getByTestId('profile-r-value').textContent()).toBe(rfm.recencyDays === 1 ? 'last purchase 1 day before' : `last purchase ${rfm.recencyDays} days before`);
  expect(await panel.getByTestId('profile-f-value').textContent()).toBe(`${rfm.frequency} purchases in 6 months`);
  expect(await panel.getByTestId('profile-m-value').textContent()).toBe(`${formatMoney(rfm.monetary)} in 6 months`);
  expect(await panel.getByTestId('profile-clv').textContent()).toBe(formatMoney(rfm.clv));
  expect(await panel.getByTestId('profile-clv-hint').textContent()).toContain('× 365 ÷ days observed × 24 ÷ 12');

  const purchases = profile.purchases;
  expect(purchases.count).toBe(4);
  expect(await panel.getByTestId('profile-count').textContent()).toBe(en(purchases.count));
  expect(await panel.getByTestId('profile-spend').textContent()).toBe(formatMoney(purchases.spend));
  expect(await panel.getByTestId('profile-aov').textContent()).toBe(formatMoney(purchases.averageOrderValue!));
  expect(await panel.getByTestId('profile-every').textContent()).toContain(
    `Every ${new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(purchases.averageDaysBetween!)} days on average`,
  );
  for (let day = 1; day <= 7; day++) {
    expect((await panel.getByTestId(`profile-weekday-${day}`).locator('td').textContent())?.trim(), `weekday ${day}`).toBe(en(purchases.byWeekday[day - 1]));
  }
  const rows = panel.getByTestId('profile-categories').locator('tbody tr');
  expect(await rows.count()).toBe(purchases.categories.length);
  for (const [i, category] of purchases.categories.entries()) {
    const cells = await rows.nth(i).locator('th, td').allTextContents();
    expect(cells).toEqual([category.category ?? 'Without category', en(category.quantity), formatMoney(category.spend)]);
  }
  await expectAccessible(page, 'member page with RFM');

  // A member without purchases has no scores, and says so.
  await page.goto(`${server.url}/portal/members/${ids.Yani}`);
  await page.getByTestId('member-balance').waitFor();
  await scrollToProfile(page);
  await page.getByTestId('profile-no-scores').waitFor();
  expect(await page.getByTestId('profile-no-purchases').textContent()).toBe('No purchases yet.');
  await page.context().close();
});
