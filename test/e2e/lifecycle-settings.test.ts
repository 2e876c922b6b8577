import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

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

it('a marketer on a phone sets the lifecycle thresholds through the grouped menu, and members move to their new stage', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Siklus ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `siklus-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  // A member whose only purchase was 25 days ago: new under the default 30 days.
  const member = await apiPost('/api/v1/members', { name: 'Rina Wati', phone: newPhone() });
  await apiPost(
    '/api/v1/transactions',
    { memberId: member.id, storeId: store.id, receiptNo: `R-${id}`, occurredAt: new Date(Date.now() - 25 * 86400e3).toISOString(), items: [{ sku: 'KOPI', quantity: 1, unitPrice: 5_000_000 }] },
    { 'Idempotency-Key': randomUUID() },
  );
  expect((await (await owner.get(`/api/v1/members/${member.id}`)).json()).lifecycleStage).toBe('new');

  const page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`, { locale: 'id-ID', width: 360, height: 800 });

  // The grouped menu by keyboard: Enter opens a section, Escape closes it and keeps the focus there.
  const nav = page.getByRole('navigation');
  const customers = nav.getByRole('button', { name: 'Pelanggan', exact: true });
  expect(await customers.getAttribute('aria-expanded')).toBe('false');
  expect(await nav.getByRole('link', { name: 'Tahap siklus' }).count()).toBe(0);
  await customers.focus();
  await page.keyboard.press('Enter');
  expect(await customers.getAttribute('aria-expanded')).toBe('true');
  await page.keyboard.press('ArrowDown');
  expect(await page.locator(':focus').textContent()).toBe('Formulir daftar & poster');
  await page.keyboard.press('Escape');
  expect(await customers.getAttribute('aria-expanded')).toBe('false');
  expect(await customers.evaluate((el) => el.matches(':focus'))).toBe(true);
  // The menu fits a 360 px phone with a section open; a marketer has no wallet settings.
  await customers.click();
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  const box = await nav.locator('#nav-menu-customers').boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
  await nav.getByRole('link', { name: 'Tahap siklus', exact: true }).click();
  await page.waitForURL(/\/portal\/settings\/lifecycle$/);
  expect(await nav.locator('#nav-menu-customers').isHidden()).toBe(true);
  await nav.getByRole('button', { name: 'Pengaturan', exact: true }).click();
  expect(await nav.getByRole('link', { name: 'Merek', exact: true }).isVisible()).toBe(true);
  expect(await page.locator('a[href$="/settings/wallets"]').count()).toBe(0);
  // A click elsewhere closes it.
  await page.mouse.click(180, 790);
  expect(await nav.getByRole('button', { name: 'Pengaturan', exact: true }).getAttribute('aria-expanded')).toBe('false');

  await expect.poll(() => page.getByTestId('at-risk-days').inputValue()).toBe('60');
  expect(await page.getByTestId('lapsed-days').inputValue()).toBe('180');
  expect(await page.getByTestId('new-days').inputValue()).toBe('30');

  // Thresholds out of order are caught at the field.
  await page.getByTestId('at-risk-days').fill('200');
  await page.getByTestId('lifecycle-save').click();
  await expect.poll(() => page.locator('#at-risk-days-error').textContent()).toBe('Hari berisiko harus lebih sedikit dari hari tidak aktif.');

  // The explanation follows the numbers as they are typed.
  await page.getByTestId('new-days').fill('14');
  await page.getByTestId('at-risk-days').fill('20');
  await page.getByTestId('lapsed-days').fill('120');
  await page.getByTestId('rfm-window-months').fill('6');
  await page.getByTestId('clv-horizon-months').fill('24');
  await expect.poll(() => page.getByTestId('stage-at_risk').textContent()).toBe('Belanja terakhir lebih dari 20 hari lalu (sampai 120).');
  expect(await page.getByTestId('stage-new').textContent()).toBe('Berbelanja pertama kali dalam 14 hari terakhir.');
  expect(await page.getByTestId('stage-lapsed').textContent()).toBe('Belanja terakhir lebih dari 120 hari lalu.');
  expect(await page.locator('#rfm-window-months-hint').textContent()).toContain('6 bulan terakhir');
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  await page.getByTestId('lifecycle-save').click();
  await expect.poll(() => page.getByTestId('lifecycle-saved').textContent()).toContain('Pengaturan siklus tersimpan');
  expect(await (await owner.get('/api/v1/settings/lifecycle')).json()).toEqual({ newDays: 14, atRiskDays: 20, lapsedDays: 120, rfmWindowMonths: 6, clvHorizonMonths: 24 });
  const [audited] = (await (await owner.get('/api/v1/audit?action=settings.lifecycle.updated')).json()).items;
  expect(audited.details).toMatchObject({ newDays: 14, atRiskDays: 20, lapsedDays: 120, rfmWindowMonths: 6 });
  // Saving moved the member whose last purchase was 25 days ago.
  expect((await (await owner.get(`/api/v1/members/${member.id}`)).json()).lifecycleStage).toBe('at_risk');
  const stages = await (await owner.get(`/api/v1/members/${member.id}/stages`)).json();
  expect(stages.items[0]).toMatchObject({ from: 'new', to: 'at_risk' });

  await expectAccessible(page, 'lifecycle settings');
  await page.context().close();
});
