import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Referrals are decided by the scheduled jobs, which a server runs when it starts and then every
// five minutes. The test makes referrals and purchases through the API, sees them waiting, then
// restarts the server on the same data: its first run of the jobs decides them. A friend's
// referral counts only once their phone is proven, so the friends who buy are enrolled with the
// code sent to their phone (demo mode shows it in the outbox).

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let dataDir: string;
const env = () => ({ KARTU_DEMO: 'on', KARTU_SIGNUP: 'on', KARTU_DATA_DIR: dataDir });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kartu-e2e-referrals-'));
  server = await startServer(env());
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function apiPost(path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await owner.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}
const apiGet = async (path: string) => (await owner.get(path)).json();

const rows = (page: Page) => page.getByTestId('referral-list').getByTestId('referral-row');

it('an owner sets the referral rules in plain words, and the report shows waiting, rewarded and refused referrals with reasons and paging', async () => {
  const id = Date.now().toString(36);
  const email = `owner-${id}@e2e.kartu`;
  await apiPost('/api/v1/signup', { retailerName: `Toko Teman ${id}`, email, password: PASSWORD, slug: `teman-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });

  let page = await signInPortal(browser, server.url, email);
  await openFromMenu(page, 'Customers', 'Referral rules');
  await page.waitForURL(/\/portal\/settings\/referrals$/);
  await expect.poll(() => page.getByTestId('referrer-points').inputValue()).toBe('0');
  await page.getByTestId('referrer-points').fill('100');
  await page.getByTestId('referee-points').fill('50');
  await page.getByTestId('min-spend').fill('50.000');
  await page.getByTestId('monthly-cap').fill('1');
  const rules = page.getByTestId('referral-rules');
  await expect.poll(() => rules.locator('li').first().textContent()).toBe(
    'When a friend joins with a member’s code and then spends at least Rp 50.000 in one purchase, the member gets 100 points and the friend 50 points.',
  );
  expect(await rules.textContent()).toContain('A member is rewarded for at most 1 friend per calendar month');
  await page.getByTestId('monthly-cap').fill('abc');
  await page.getByTestId('referral-settings-save').click();
  await expect.poll(() => page.locator('#monthly-cap-error').textContent()).toBe('Enter a whole number from 0 to 100,000.');
  await page.getByTestId('monthly-cap').fill('1');
  await page.getByTestId('referral-settings-save').click();
  await expect.poll(() => page.getByTestId('referral-settings-saved').textContent()).toBe('Referral rules saved.');
  expect(await apiGet('/api/v1/settings/referrals')).toEqual({ referrerPoints: 100, refereePoints: 50, minSpend: 5_000_000, monthlyCap: 1 });
  const [audited] = (await apiGet('/api/v1/audit?action=settings.referrals.updated')).items;
  expect(audited.details).toMatchObject({ referrerPoints: 100, refereePoints: 50, minSpend: 5_000_000, monthlyCap: 1 });
  await expectAccessible(page, 'referral settings');

  // Ani shares her code: Budi and Citra buy enough, "Ani Lagi" has Ani's email and buys,
  // Dedi has not bought yet, and 47 more friends joined without buying (for paging).
  const ani = await apiPost('/api/v1/members', { name: 'Ani Pratiwi', phone: newPhone(), email: `ani-${id}@contoh.id` });
  const friend = (name: string, extra: Record<string, unknown> = {}) =>
    apiPost('/api/v1/members', { name, phone: newPhone(), referralCode: ani.referralCode, ...extra });
  /** A friend enrolled at the till with the code sent to their phone: a proven phone. */
  const provenFriend = async (name: string, extra: Record<string, unknown> = {}) => {
    const phone = newPhone();
    await apiPost('/api/v1/members/phone-codes', { phone });
    await expect.poll(async () => (await codesSentTo((path) => owner.get(path), phone)).length).toBe(1);
    const [phoneCode] = await codesSentTo((path) => owner.get(path), phone);
    return apiPost('/api/v1/members', { name, phone, phoneCode, referralCode: ani.referralCode, ...extra });
  };
  const budi = await provenFriend('Budi Santoso');
  const citra = await provenFriend('Citra Dewi');
  const self = await provenFriend('Ani Lagi', { email: `ani-${id}@contoh.id` });
  await friend('Dedi Kurnia');
  for (let batch = 0; batch < 47; batch += 8) {
    await Promise.all(Array.from({ length: Math.min(8, 47 - batch) }, (_, i) => friend(`Teman ${batch + i + 1}`)));
  }

  await openFromMenu(page, 'Reports', 'Referrals');
  await page.waitForURL(/\/portal\/reports\/referrals$/);
  await expect.poll(() => page.getByTestId('figure-pending').textContent()).toBe('51');
  expect(await page.getByTestId('figure-rewarded').textContent()).toBe('0');
  // Fifty to a page; "more" fetches the rest from the server.
  await expect.poll(() => rows(page).count()).toBe(50);
  await page.getByTestId('referral-more').click();
  await expect.poll(() => rows(page).count()).toBe(51);
  expect(await page.getByTestId('referral-more').count()).toBe(0);
  await page.getByTestId('status-filter').selectOption('refused');
  await page.getByTestId('referral-list-empty').waitFor();
  await page.context().close();

  // Then three of them buy (after the report above: the housekeeping job, on a wall-clock schedule,
  // may decide them at any moment from now).
  for (const buyer of [budi, citra, self]) {
    await apiPost(
      '/api/v1/transactions',
      { memberId: buyer.id, storeId: store.id, receiptNo: `R-${buyer.id}`, items: [{ sku: 'KOPI', quantity: 1, unitPrice: 6_000_000 }] },
      { 'Idempotency-Key': randomUUID() },
    );
  }

  // The server restarts on the same data; its first run of the jobs decides the due referrals.
  await owner.dispose();
  await server.stop();
  server = await startServer(env());
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  await apiPost('/api/v1/auth/login', { email, password: PASSWORD });
  await expect.poll(async () => (await apiGet('/api/v1/reports/referrals')).pending, { timeout: 30_000 }).toBe(48);
  const report = await apiGet('/api/v1/reports/referrals');
  expect(report).toMatchObject({ rewarded: 1, refused: 2, refusedBy: { self_referral: 1, referrer_monthly_cap: 1 }, pointsAwarded: 150 });

  page = await signInPortal(browser, server.url, email, { width: 390, height: 844 });
  await openFromMenu(page, 'Reports', 'Referrals');
  await expect.poll(() => page.getByTestId('figure-rewarded').textContent()).toBe('1');
  expect(await page.getByTestId('figure-pending').textContent()).toBe('48');
  expect(await page.getByTestId('figure-refused').textContent()).toBe('2');
  expect(await page.getByTestId('figure-points').textContent()).toBe('150');
  expect(await page.getByTestId('reason-count-self_referral').textContent()).toBe('1');
  expect(await page.getByTestId('reason-count-referrer_monthly_cap').textContent()).toBe('1');
  expect(await page.getByTestId('reason-count-phone_already_rewarded').textContent()).toBe('0');
  expect(await page.getByTestId('reason-self_referral').textContent()).toContain('The friend had the member’s own email');

  await page.getByTestId('status-filter').selectOption('refused');
  await expect.poll(() => rows(page).count()).toBe(2);
  const reasons = await rows(page).getByTestId('referral-reason').allTextContents();
  expect(reasons.sort()).toEqual(['Monthly limit reached', 'Self-referral']);
  await page.getByTestId('status-filter').selectOption('rewarded');
  await expect.poll(() => rows(page).count()).toBe(1);
  expect(await rows(page).first().textContent()).toContain('+100 / +50');

  // "Started on or after" a day of the shop's calendar (Asia/Jakarta), sent as the plain date: from
  // tomorrow there are none, from today all of them. The list below says the date is not its filter.
  const jakartaDay = (at: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date(at));
  const [today, tomorrow] = [jakartaDay(Date.now()), jakartaDay(Date.now() + 86400e3)];
  await page.getByTestId('report-since').fill(tomorrow);
  const [asked] = await Promise.all([
    page.waitForRequest((request) => request.url().includes('/api/v1/reports/referrals')),
    page.getByRole('button', { name: 'Show', exact: true }).click(),
  ]);
  expect(new URL(asked.url()).searchParams.get('since')).toBe(tomorrow);
  await expect.poll(() => page.getByTestId('figure-pending').textContent()).toBe('0');
  expect(await page.getByTestId('figure-rewarded').textContent()).toBe('0');
  expect(await page.getByTestId('referral-list-scope').textContent()).toContain('applies to the figures only, not to this list');
  expect(await rows(page).count()).toBe(1);
  await page.getByTestId('report-since').fill(today);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect.poll(() => page.getByTestId('figure-pending').textContent()).toBe('48');
  expect(await page.getByTestId('figure-rewarded').textContent()).toBe('1');
  await expectAccessible(page, 'referral report');

  // The top referrer links to her member page, which lists the friends she referred.
  await page.getByTestId('top-referrers').getByRole('link', { name: 'Ani Pratiwi' }).click();
  await page.waitForURL(new RegExp(`/portal/members/${ani.id}$`));
  const panel = page.getByTestId('member-referrals');
  await panel.scrollIntoViewIfNeeded();
  // Fifty friends to a page; "more" fetches the rest, and the focus goes to the first one added.
  await expect.poll(() => panel.getByTestId('referred-list').locator('li').count()).toBe(50);
  await panel.getByTestId('referred-more').click();
  await expect.poll(() => panel.getByTestId('referred-list').locator('li').count()).toBe(51);
  expect(await panel.getByTestId('referred-more').count()).toBe(0);
  expect(await page.locator(':focus').textContent()).toBe(await panel.getByTestId('referred-list').locator('li a').nth(50).textContent());
  expect(await panel.getByTestId('referral-status').filter({ hasText: 'Rewarded' }).count()).toBe(1);
  await page.context().close();
});
