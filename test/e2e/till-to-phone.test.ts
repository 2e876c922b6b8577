import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { launchChromium } from '../support/browser.ts';
import { rotatingQrOf } from '../support/cards.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode so the portal's outbox shows one-time codes (the way a tester reads them).
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function signInMember(page: Page, slug: string, phone: string) {
  const before = (await codesSentTo(phone)).length;
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('phone-input').fill(phone);
  await page.getByTestId('send-code').click();
  await expect.poll(async () => (await codesSentTo(phone)).length, { timeout: 10_000 }).toBe(before + 1);
  await page.getByTestId('code-input').fill((await codesSentTo(phone))[0]);
  await page.getByTestId('verify-code').click();
  await page.getByTestId('points-balance').waitFor();
}

/** One-time codes sent to a phone, newest first, read from the portal's outbox as a tester would. */
async function codesSentTo(nationalPhone: string): Promise<string[]> {
  const e164 = `+62${nationalPhone.slice(1)}`;
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  return outbox.items
    .filter((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164)
    .map((m: { body: string }) => /\b(\d{6})\b/.exec(m.body)![1]);
}

it('a cashier scans a member’s code at the till, posts a sale, and the member sees the new balance on the phone', async () => {
  const id = Date.now().toString(36);
  const signup = await apiPost('/api/v1/signup', { retailerName: `Toko E2E ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `e2e-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'JKT', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const nationalPhone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone: nationalPhone });

  // The member opens the app and shows the card; the code in its QR is what the scanner types.
  const phone = await browser.newContext({ locale: 'id-ID', viewport: { width: 390, height: 800 } });
  const phonePage = await phone.newPage();
  await signInMember(phonePage, signup.slug, nationalPhone);
  await expect.poll(() => phonePage.getByTestId('points-balance').textContent()).toBe('0');
  await phonePage.getByTestId('card-qr').locator('svg, canvas, img').first().waitFor();
  const card = await (await phone.request.get(`${server.url}/api/v1/me/card`)).json();
  expect(card.cardNumber).toBe(member.cardNumber);
  // The app's QR is the rotating code of the step it shows, computed on the phone from the secret.
  const qr = phonePage.getByTestId('card-qr');
  const [step, markup] = await qr.evaluate((el) => [Number(el.dataset.step), el.innerHTML] as const);
  const shown = rotatingQrOf(card, step);
  expect(shown).toMatch(/^K2\.\d{16}\.\d{8}$/);
  const pathsOf = (svg: string) => [...svg.matchAll(/\sd="([^"]+)"/g)].map((m) => m[1]);
  const expected = await QRCode.toString(shown, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  expect(pathsOf(markup)).toEqual(pathsOf(expected));
  expect(pathsOf(expected).length).toBeGreaterThan(0);
  const appScan = await owner.post('/api/v1/scan', { data: { code: shown } });
  expect(appScan.status(), await appScan.text()).toBe(200);
  expect((await appScan.json()).member.id).toBe(member.id);
  await phone.close();

  // The cashier signs in; a keyboard-wedge scanner types the code and Enter into the scan field.
  const till = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 800 } });
  const tillPage = await till.newPage();
  await tillPage.goto(`${server.url}/portal/login`);
  await tillPage.getByTestId('login-email').fill(`kasir-${id}@e2e.kartu`);
  await tillPage.getByTestId('login-password').fill(PASSWORD);
  await tillPage.getByTestId('login-submit').click();
  await tillPage.waitForURL(/\/portal\/till/);
  await tillPage.getByTestId('scan-input').fill(card.code);
  await tillPage.getByTestId('scan-input').press('Enter');
  await expect.poll(() => tillPage.getByTestId('member-name').textContent()).toContain('Dewi Lestari');
  await expect.poll(() => tillPage.getByTestId('member-balance').textContent()).toContain('0');
  await tillPage.getByTestId('receipt-input').fill(`E2E-${id}`);
  await tillPage.getByTestId('total-input').fill('150.000');
  // As a cashier does: Enter works the total out, and the sale is posted once the total to pay shows (Post waits for it).
  await tillPage.getByTestId('total-input').press('Enter');
  await expect.poll(() => tillPage.getByTestId('evaluated-total').textContent(), { timeout: 10_000 }).toBe('Rp 150.000');
  await tillPage.getByTestId('post-sale').click();
  await expect.poll(() => tillPage.getByTestId('points-earned').textContent()).toContain('15');
  await expect.poll(() => tillPage.getByTestId('new-balance').textContent()).toContain('15');
  await tillPage.getByTestId('next-customer').click();
  await expect.poll(() => tillPage.locator(':focus').getAttribute('data-testid')).toBe('scan-input');
  await till.close();

  // The member signs in on the phone and sees the new balance and the sale in the history.
  const again = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 800 } });
  const againPage = await again.newPage();
  await signInMember(againPage, signup.slug, nationalPhone);
  await expect.poll(() => againPage.getByTestId('points-balance').textContent()).toBe('15');
  await expect.poll(() => againPage.getByTestId('history-item').count()).toBe(1);
  await again.close();
});
