import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
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

const slow = { timeout: 15_000 };

/** Chooses the file, checks the auto-matched columns and the preview, imports, and waits for 100 %. */
async function importThroughScreens(page: Page, csv: string) {
  await page.getByTestId('import-file').setInputFiles({ name: 'pelanggan.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('import-preview').waitFor();
  // Indonesian headers matched to their fields without any choosing.
  expect(await page.getByTestId('map-phone').inputValue()).toBe('No HP');
  expect(await page.getByTestId('map-name').inputValue()).toBe('Nama Lengkap');
  expect(await page.getByTestId('map-openingPoints').inputValue()).toBe('Saldo Poin');
  expect(await page.getByTestId('map-tags').inputValue()).toBe('');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('import-start').click();
  await page.getByTestId('import-status').filter({ hasText: '100 %' }).waitFor(slow);
  expect(await page.getByTestId('import-progress').evaluate((bar) => (bar as unknown as { value: number }).value)).toBe(100);
}

it('imports a CSV through the screens: mapping, progress, error report; a re-run adds nothing', async () => {
  const id = randomUUID().slice(0, 8);
  const signup = await owner.post('/api/v1/signup', { data: { retailerName: `Toko Impor ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `impor-${id}` } });
  expect(signup.status()).toBe(201);
  const [ani, budi] = [newPhone(), newPhone()];
  const csv = ['Nama Lengkap;No HP;Saldo Poin', `Ani Lestari;${ani};1.250`, `Budi Santoso;${budi};300`, 'Nomor Salah;12;50'].join('\r\n');

  const page = await signInPortal(browser, server.url, `owner-${id}@e2e.kartu`);
  await openFromMenu(page, 'Members', 'Import & export');
  await page.getByRole('heading', { level: 1, name: 'Import and export members' }).waitFor();
  await page.getByTestId('import-file').waitFor();
  await expectAccessible(page, 'member import, empty');

  await page.getByTestId('import-file').setInputFiles({ name: 'pelanggan.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('import-preview').waitFor();
  expect(await page.getByTestId('import-preview').locator('tbody tr').count()).toBe(3);
  await expectAccessible(page, 'member import, mapping and preview');

  await importThroughScreens(page, csv);
  expect(await page.getByTestId('import-created').textContent()).toBe('2');
  expect(await page.getByTestId('import-failed').textContent()).toBe('1');
  await expectAccessible(page, 'member import, done');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-errors').click()]);
  const report = parse(await readFile((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
  expect(report).toEqual([{ row: '4', field: 'phone', message: expect.stringContaining('Not a valid phone number'), 'Nama Lengkap': 'Nomor Salah', 'No HP': '12', 'Saldo Poin': '50' }]);

  const members = (await (await owner.get('/api/v1/members')).json()).items as { name: string; points: { balance: number }; source: string }[];
  expect(members.map((m) => [m.name, m.points.balance, m.source]).sort()).toEqual([['Ani Lestari', 1250, 'import'], ['Budi Santoso', 300, 'import']]);

  await page.getByTestId('import-again').click();
  await importThroughScreens(page, csv);
  expect(await page.getByTestId('import-created').textContent()).toBe('0');
  expect(await page.getByTestId('import-updated').textContent()).toBe('0');
  expect(await page.getByTestId('import-skipped').textContent()).toBe('2');
  const again = (await (await owner.get('/api/v1/members')).json()).items as { points: { balance: number } }[];
  expect(again.map((m) => m.points.balance).sort()).toEqual([1250, 300]);

  const [exported] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-members').click()]);
  const rows = parse(await readFile((await exported.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.name).sort()).toEqual(['Ani Lestari', 'Budi Santoso']);
});
