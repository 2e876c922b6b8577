import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A member on a cheap phone (360×800) uses their UU PDP rights in the app: changes the promotions
// consent, downloads their data as a JSON file, and deletes the account — after which the app is
// back at the sign-in screen and the retailer's record is a tombstone.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let slug: string;

beforeAll(async () => {
  // Demo mode so the outbox shows the member's one-time code.
  server = await startServer({ KARTU_DEMO: 'on', KARTU_SIGNUP: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const id = Date.now().toString(36);
  slug = (await post(owner, '/api/v1/signup', { retailerName: `Toko Privasi ${id}`, email: `owner-${id}@privacy.kartu`, password: PASSWORD, slug: `privasi-${id}` })).slug;
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function post(context: APIRequestContext, path: string, data: unknown) {
  const res = await context.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

it('a member changes a consent, downloads their data, and deletes the account', async () => {
  const nationalPhone = newPhone();
  const e164 = `+62${nationalPhone.slice(1)}`;
  const member = await post(owner, '/api/v1/members', { name: 'Sari Wulandari', phone: nationalPhone, email: 'sari@example.com' });
  await post(owner, `/api/v1/members/${member.id}/points/adjustments`, { points: 300, reason: 'saldo awal' });

  const phone = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, acceptDownloads: true });
  await post(phone.request, `${server.url}/api/v1/member-auth/otp`, { slug, phone: nationalPhone });
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  const message = outbox.items.find((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164);
  const code = /\b(\d{6})\b/.exec(message.body)![1];
  await post(phone.request, `${server.url}/api/v1/member-auth/verify`, { slug, phone: nationalPhone, code });

  const page = await phone.newPage();
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('card-qr').locator('svg').waitFor();

  // The consent: one tick, saved at once.
  await page.getByTestId('prefs-open').click();
  await page.getByTestId('prefs-opt-in').check();
  await expect.poll(() => page.getByTestId('prefs-status').textContent()).toBe('Tersimpan: Anda akan menerima promo.');
  await page.getByTestId('privacy').waitFor();
  await expectAccessible(page, 'privacy settings');
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  // The download: a JSON file with the member's data, the consent just given included.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('privacy-download').click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${slug}-my-data-\\d{4}-\\d{2}-\\d{2}\\.json$`));
  const data = JSON.parse(await readFile((await download.path())!, 'utf8'));
  expect(data.profile).toMatchObject({ id: member.id, name: 'Sari Wulandari', phone: e164, email: 'sari@example.com' });
  expect(data.consents).toEqual([{ purpose: 'marketing', given: true, since: expect.any(String) }]);
  expect(data.points).toMatchObject({ balance: 300 });
  expect(JSON.stringify(data)).not.toContain(code);
  await expect.poll(() => page.getByTestId('privacy-download-status').textContent()).toContain(download.suggestedFilename());

  // Deleting: what is erased and kept is said before; a wrong word is refused in place.
  await page.getByTestId('privacy-delete').click();
  await expect.poll(() => page.locator('#privacy-delete-title').textContent()).toBe('Hapus akun Anda?');
  expect(await page.getByTestId('privacy').textContent()).toContain('300 poin dan voucher Anda hangus');
  await expectAccessible(page, 'delete confirmation');
  await page.getByTestId('privacy-confirm').fill('ya');
  await page.getByTestId('privacy-delete-now').click();
  await expect.poll(() => page.getByTestId('privacy-delete-error').textContent()).toBe('Ketik HAPUS persis untuk mengonfirmasi.');
  await page.getByTestId('privacy-confirm').fill('hapus');
  await page.getByTestId('privacy-delete-now').click();

  // Back at the sign-in screen; the retailer sees a tombstone.
  await page.getByTestId('phone-input').waitFor();
  await expectAccessible(page, 'sign-in after deleting');
  const record = await (await owner.get(`/api/v1/members/${member.id}`)).json();
  expect(record).toMatchObject({ status: 'erased', name: '', email: null, points: { balance: 0, pending: 0, debt: 0 } });
  await phone.close();
});
