import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Locator } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { decodeQrImage } from '../support/qr-decode.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// The QRs the apps draw as SVG, read the way a till's scanner reads them: Chromium renders the
// SVG, ZBar decodes the screenshot's pixels, and the decoded text must scan to the right member.
// The same text with one character changed (still well-formed) must not scan.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let cashier: APIRequestContext;
let tenant: { slug: string; ownerEmail: string; cashierEmail: string };
let member: { id: string; cardNumber: string; phone: string };

beforeAll(async () => {
  // Demo mode so the outbox shows the member's one-time code.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  cashier = await playwrightRequest.newContext({ baseURL: server.url });

  const id = Date.now().toString(36);
  const ownerEmail = `owner-${id}@qr.kartu`;
  const cashierEmail = `kasir-${id}@qr.kartu`;
  const signup = await post(owner, '/api/v1/signup', { retailerName: `Toko QR ${id}`, email: ownerEmail, password: PASSWORD, slug: `qr-${id}` });
  const store = await post(owner, '/api/v1/stores', { code: 'BDG', name: 'Toko Dago' });
  await post(owner, '/api/v1/staff', { email: cashierEmail, name: 'Mbak Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  await post(cashier, '/api/v1/auth/login', { email: cashierEmail, password: PASSWORD });
  tenant = { slug: signup.slug, ownerEmail, cashierEmail };
  const phone = newPhone();
  member = { ...(await post(owner, '/api/v1/members', { name: 'Dewi Lestari', phone })), phone };
  await post(owner, '/api/v1/members', { name: 'Budi Santoso', phone: newPhone() }); // so a wrong match would show
});

afterAll(async () => {
  await cashier?.dispose();
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function post(context: APIRequestContext, path: string, data: unknown) {
  const res = await context.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

/** What the cashier's till gets for a scanned text: the member's id, or the HTTP status. */
async function scanAsCashier(code: string): Promise<string | number> {
  const res = await cashier.post('/api/v1/scan', { data: { code } });
  return res.status() === 200 ? (await res.json()).member.id : res.status();
}

/** The one QR in the element's screenshot, as ZBar reads it. */
async function decodeShown(qr: Locator): Promise<string> {
  const codes = decodeQrImage(await qr.screenshot());
  expect(codes).toHaveLength(1);
  return codes[0];
}

/** `text` with its last character, a digit or a Crockford base-32 letter, replaced by another. */
function changeLast(text: string): string {
  const last = text.at(-1)!;
  const other = /\d/.test(last) ? String((Number(last) + 1) % 10) : last === 'A' ? 'B' : 'A';
  return text.slice(0, -1) + other;
}

/** The member signed in on a phone browser (one-time code read from the owner's outbox). */
async function memberPhone(): Promise<BrowserContext> {
  const phone = await browser.newContext({ locale: 'id-ID', viewport: { width: 390, height: 800 } });
  const e164 = `+62${member.phone.slice(1)}`;
  await post(phone.request, `${server.url}/api/v1/member-auth/otp`, { slug: tenant.slug, phone: member.phone });
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  const message = outbox.items.find((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164);
  const code = /\b(\d{6})\b/.exec(message.body)![1];
  await post(phone.request, `${server.url}/api/v1/member-auth/verify`, { slug: tenant.slug, phone: member.phone, code });
  return phone;
}

async function signedInStaff(email: string): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/portal\/(dashboard|members|till)/);
  await page.close();
  return context;
}

it('the member app’s rotating QR, decoded from Chromium’s pixels, scans to the member; one digit changed does not', async () => {
  const phone = await memberPhone();
  const page = await phone.newPage();
  await page.goto(`${server.url}/app/${tenant.slug}`);
  const qr = page.getByTestId('card-qr');
  await qr.locator('svg').waitFor();

  const decoded = await decodeShown(qr);
  expect(decoded).toMatch(new RegExp(`^K2\\.${member.cardNumber}\\.\\d{8}$`));
  expect(await scanAsCashier(decoded)).toBe(member.id);
  // The rotating code's last digit: still a well-formed app code, but not the one the phone showed.
  expect(await scanAsCashier(changeLast(decoded))).toBe(404);
  await phone.close();
});

it('the portal shows an owner the card’s QR, decoded from Chromium’s pixels, that scans to the member; one character changed does not', async () => {
  const context = await signedInStaff(tenant.ownerEmail);
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/members/${member.id}`);
  const qr = page.getByTestId('card-qr');
  await qr.waitFor();
  const loaded = (img: unknown) => {
    const { complete, naturalWidth } = img as { complete: boolean; naturalWidth: number };
    return complete && naturalWidth > 0;
  };
  await expect.poll(() => qr.evaluate(loaded)).toBe(true);
  expect(await qr.getAttribute('alt')).toContain(member.cardNumber);
  await page.getByTestId('print-card').waitFor();

  const decoded = await decodeShown(qr);
  expect(decoded).toMatch(new RegExp(`^K1\\.[0-9A-Z]{2}\\.${member.cardNumber}\\.[0-9A-Z]{16}$`));
  expect(await scanAsCashier(decoded)).toBe(member.id);
  // A character of the MAC: still a well-formed printed code, but not signed by the retailer.
  expect(await scanAsCashier(changeLast(decoded))).toBe(404);
  expect(await scanAsCashier(decoded)).toBe(member.id);
  await context.close();
});

it('the portal shows a cashier the card number but neither the QR nor the print link', async () => {
  const context = await signedInStaff(tenant.cashierEmail);
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/members/${member.id}`);
  await expect.poll(() => page.getByTestId('card-number').textContent()).toBe(member.cardNumber);
  expect(await page.getByTestId('card-qr').count()).toBe(0);
  expect(await page.getByTestId('print-card').count()).toBe(0);
  expect(await page.locator('img[src*="qr.svg"], a[href*="card.pdf"]').count()).toBe(0);
  await context.close();
});
