import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { decodeQrImage } from '../support/qr-decode.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The installable member app: the retailer's manifest and icons, and a card that opens without
// data (the service worker's app shell, the card's secret and the last balance saved on the phone),
// whose QR the till accepts once it is back online; nothing of the member stays after sign-out.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode so the outbox shows the member's one-time code.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiPost(path: string, data: unknown, method: 'post' | 'patch' = 'post') {
  const res = await owner[method](path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function codesSentTo(nationalPhone: string): Promise<string[]> {
  const e164 = `+62${nationalPhone.slice(1)}`;
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  return outbox.items
    .filter((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164)
    .map((m: { body: string }) => /\b(\d{6})\b/.exec(m.body)![1]);
}

async function signInMember(page: Page, slug: string, phone: string) {
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('phone-input').fill(phone);
  await page.getByTestId('send-code').click();
  await expect.poll(async () => (await codesSentTo(phone)).length, { timeout: 10_000 }).toBe(1);
  await page.getByTestId('code-input').fill((await codesSentTo(phone))[0]);
  await page.getByTestId('verify-code').click();
  await page.getByTestId('points-balance').waitFor();
}

it('installs in the retailer’s branding, opens offline with the card, QR and last balance, and forgets the member on sign-out', async () => {
  const id = Date.now().toString(36);
  const signup = await apiPost('/api/v1/signup', { retailerName: `Toko Offline ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `off-${id}` });
  await apiPost('/api/v1/settings/branding', { primaryColor: '#1e3a8a', textColor: '#ffffff' }, 'patch');
  const phone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Rina Wati', phone });
  await apiPost(`/api/v1/members/${member.id}/points/adjustments`, { points: 1_250, reason: 'Saldo awal' });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await signInMember(page, signup.slug, phone);
  await expect.poll(() => page.getByTestId('points-balance').textContent()).toBe('1.250');
  await page.getByTestId('card-qr').locator('svg').waitFor();

  // The manifest the page links is the retailer's, and Chromium finds nothing against installing it.
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBe(`/api/v1/public/tenants/${signup.slug}/manifest`);
  const manifestRes = await page.request.get(`${server.url}${manifestHref}`);
  expect(manifestRes.status()).toBe(200);
  expect(manifestRes.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = await manifestRes.json();
  expect(manifest).toMatchObject({ name: `Toko Offline ${id}`, display: 'standalone', scope: '/app/', start_url: `/app/${signup.slug}`, theme_color: '#1e3a8a' });
  for (const size of ['192x192', '512x512']) {
    for (const purpose of ['any', 'maskable']) expect(manifest.icons).toContainEqual(expect.objectContaining({ sizes: size, purpose, type: 'image/png' }));
  }
  for (const icon of manifest.icons) {
    const res = await page.request.get(`${server.url}${icon.src}`);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
    const png = await res.body();
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
  }
  const cdp = await context.newCDPSession(page);
  const parsed = await cdp.send('Page.getAppManifest');
  expect(parsed.errors).toEqual([]);
  const installability = await cdp.send('Page.getInstallabilityErrors');
  // A Playwright context is an off-the-record profile, which Chromium never installs apps from.
  expect(installability.installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);

  // The service worker has cached the app and controls the page.
  await expect.poll(() => page.evaluate('Boolean(navigator.serviceWorker.controller)'), { timeout: 20_000 }).toBe(true);
  const shownAt = new Date();

  await context.setOffline(true);
  const reloaded = await page.reload();
  expect(reloaded?.fromServiceWorker()).toBe(true);
  await expect.poll(() => page.getByTestId('points-balance').textContent(), { timeout: 15_000 }).toBe('1.250');
  const time = new Intl.DateTimeFormat('id-ID', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Jakarta' });
  const expected = [time.format(shownAt), time.format(new Date())].map((hhmm) => `Diperbarui ${hhmm}`);
  expect(expected).toContain(await page.getByTestId('points-updated').textContent());
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Offline' }).count()).toBe(1);
  const qr = page.getByTestId('card-qr');
  await qr.locator('svg').waitFor();
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await expectAccessible(page, 'the card opened offline');
  const codes = decodeQrImage(await qr.screenshot());
  expect(codes).toHaveLength(1);
  expect(codes[0]).toMatch(new RegExp(`^K2\\.${member.cardNumber}\\.\\d{8}$`));

  // Back online, the till accepts the code the phone computed offline.
  await context.setOffline(false);
  const scan = await owner.post('/api/v1/scan', { data: { code: codes[0] } });
  expect(scan.status(), await scan.text()).toBe(200);
  expect((await scan.json()).member.id).toBe(member.id);

  // Online again the page loads fresh data (no "updated" time), and sign-out forgets everything saved.
  await page.reload();
  await expect.poll(() => page.getByTestId('points-balance').textContent()).toBe('1.250');
  expect(await page.getByTestId('points-updated').count()).toBe(0);
  await page.getByTestId('sign-out').click();
  await page.getByTestId('phone-input').waitFor();
  const saved = await page.evaluate('Object.keys(localStorage).filter((key) => /^kartu\\.(card|snapshot|vouchers)\\./.test(key))');
  expect(saved).toEqual([]);
  await context.setOffline(true);
  await page.reload();
  // Offline with nothing saved: the app says there is no connection, and shows nobody's card.
  await page.getByRole('alert').filter({ hasText: 'Tidak ada koneksi' }).waitFor({ timeout: 15_000 });
  expect(await page.getByTestId('points-balance').count()).toBe(0);
  expect(await page.getByTestId('card-qr').count()).toBe(0);
  await context.close();
});
