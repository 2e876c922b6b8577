import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { formatPhone } from '../../api/client/format.ts';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// In-store enrolment: a customer who is not a member yet is enrolled by the cashier, from the till
// when a scan finds nobody. The phone is proven with the code texted to it, which the customer
// reads out; a wrong code enrols nobody. The sale then goes on with the new member. From the
// members page a customer without their phone at hand is enrolled without the code: unproven, so
// no welcome bonus yet. Everything is checked through the API.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode so the outbox shows the one-time codes.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiSend(method: 'post' | 'patch', path: string, data: unknown) {
  const res = await owner[method](path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}
async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

const e164 = (national: string) => `+62${national.slice(1)}`;
const membersWithPhone = async (phone: string) => (await apiGet(`/api/v1/members?query=${encodeURIComponent(e164(phone))}`)).items as { id: string }[];
const codes = (phone: string) => codesSentTo((path) => owner.get(path), phone);
const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.replace(/\s+/g, ' ').trim();
const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');

/** A 16-digit number with a valid check digit that is no member's card. */
function unknownCardNumber(): string {
  const body = Array.from({ length: 15 }, () => randomInt(10)).join('');
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let digit = Number(body[14 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return body + ((10 - (sum % 10)) % 10);
}

it('a cashier enrols a customer from the till with the code read out from the SMS; a wrong code enrols nobody; the sale goes on with the new member', async () => {
  const id = Date.now().toString(36);
  await apiSend('post', '/api/v1/signup', { retailerName: `Toko Daftar ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `daftar-${id}` });
  await apiSend('patch', '/api/v1/settings/signup', { welcomeBonusPoints: 75 });
  const store = await apiSend('post', '/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  await apiSend('post', '/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });

  const till = await signInPortal(browser, server.url, `kasir-${id}@e2e.kartu`, { width: 390, height: 844 });
  await till.goto(`${server.url}/portal/till`);

  // A card number nobody has: "unknown card", and the way to enrol the customer.
  await till.getByTestId('scan-input').fill(unknownCardNumber());
  await till.getByTestId('scan-input').press('Enter');
  await expect.poll(() => text(till, 'scan-error')).toBe('Unknown card');
  expect(await till.getByTestId('till-enrol').textContent()).toBe('Enrol a new member');
  expect(await till.getByText('Not a member yet?').isVisible()).toBe(true);
  await till.getByTestId('till-enrol').click();
  await till.getByTestId('enrol-panel').waitFor();
  expect(await focusedId(till)).toBe('enrol-name');
  // Consent to promotions is asked, never assumed.
  expect(await till.getByTestId('enrol-consent').isChecked()).toBe(false);

  // The form's own checks first, at the fields.
  await till.getByTestId('enrol-send-code').click();
  expect(await text(till, 'enrol-error-name')).toBe('Enter the customer’s name.');
  expect(await text(till, 'enrol-error-phone')).toBe('Enter the phone number.');
  expect(await focusedId(till)).toBe('enrol-name');

  const phone = newPhone();
  await till.getByTestId('enrol-name').fill('Rina Wulandari');
  await till.getByTestId('enrol-phone').fill(phone);
  await till.getByTestId('enrol-birth-date').fill('1992-03-08');
  await till.getByTestId('enrol-send-code').click();
  await expect.poll(() => text(till, 'enrol-code-sent')).toBe(`A 6-digit code was sent to ${phone}; it is valid for 5 minutes. Ask the customer to read it out.`);
  expect(await focusedId(till)).toBe('enrol-phoneCode');
  await expect.poll(async () => (await codes(phone)).length).toBe(1);
  const [code] = await codes(phone);
  await expectAccessible(till, 'till, enrolling a member');
  expect(await pageWidth(till)).toBeLessThanOrEqual(390);

  // A wrong code: said at the code, in the cashier's language, and nobody is enrolled.
  await till.getByTestId('enrol-code').fill(code.replace(/^\d/, (d) => String((Number(d) + 1) % 10)));
  await till.getByTestId('enrol-submit').click();
  await expect.poll(() => text(till, 'enrol-error-phoneCode')).toBe('Wrong code. 4 tries left.');
  expect(await till.getByTestId('enrol-code').getAttribute('aria-invalid')).toBe('true');
  expect(await focusedId(till)).toBe('enrol-phoneCode');
  expect(await membersWithPhone(phone)).toEqual([]);
  // Still signed in: a wrong code is no expired session.
  expect(new URL(till.url()).pathname).toBe('/portal/till');

  // The right code enrols the customer; the till goes on with them, as if their card number was typed.
  await till.getByTestId('enrol-code').fill(code);
  await till.getByTestId('enrol-submit').click();
  await expect.poll(() => text(till, 'till-enrol-notice')).toBe('New member Rina Wulandari is on this sale.');
  expect(await till.getByTestId('enrol-panel').count()).toBe(0);
  expect(await text(till, 'member-name')).toContain('Rina Wulandari');
  expect(await text(till, 'member-balance')).toBe('75');
  expect(await focusedId(till)).toBe('receipt');

  const [found] = await membersWithPhone(phone);
  const member = await apiGet(`/api/v1/members/${found.id}`);
  expect(member).toMatchObject({
    name: 'Rina Wulandari', phone: e164(phone), birthDate: '1992-03-08', source: 'in_store', phoneVerified: true, marketingOptIn: false,
    points: { balance: 75 },
  });

  // The sale is the new member's.
  await till.getByTestId('receipt-input').fill(`E-${id}`);
  await till.getByTestId('total-input').fill('150.000');
  await till.getByTestId('total-input').press('Enter');
  await expect.poll(() => text(till, 'evaluated-total'), { timeout: 10_000 }).toBe('Rp 150.000');
  await till.getByTestId('post-sale').click();
  await till.getByTestId('sale-posted').waitFor();
  const sales = await apiGet(`/api/v1/transactions?memberId=${member.id}`);
  expect(sales.items.map((sale: { receiptNo: string }) => sale.receiptNo)).toEqual([`E-${id}`]);
  await till.context().close();
});

it('from the members page, a customer without their phone at hand is enrolled without the code, with consent and a referral: no welcome bonus until they sign in', async () => {
  const id = Date.now().toString(36);
  await apiSend('post', '/api/v1/signup', { retailerName: `Toko Anggota ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `anggota-${id}` });
  await apiSend('patch', '/api/v1/settings/signup', { welcomeBonusPoints: 75 });
  const ani = await apiSend('post', '/api/v1/members', { name: 'Ani Pratiwi', phone: newPhone() });

  const page = await signInPortal(browser, server.url, `owner-${id}@e2e.kartu`, { locale: 'id-ID' });
  await page.goto(`${server.url}/portal/members`);
  await page.getByTestId('enrol-open').click();
  await page.getByTestId('enrol-panel').waitFor();
  expect(await text(page, 'enrol-without-code')).toBe('Daftarkan tanpa kode');

  // A phone that is a member already is said at the number, in Bahasa Indonesia.
  await page.getByTestId('enrol-name').fill('Ani Lagi');
  await page.getByTestId('enrol-phone').fill(`0${ani.phone.slice(3)}`);
  await page.getByTestId('enrol-send-code').click();
  await expect.poll(() => text(page, 'enrol-error-phone')).toBe('Nomor HP ini sudah terdaftar.');
  expect(await focusedId(page)).toBe('enrol-phone');

  const phone = newPhone();
  await page.getByTestId('enrol-name').fill('Bayu Saputra');
  await page.getByTestId('enrol-phone').fill(phone);
  await page.getByTestId('enrol-referral').fill(ani.referralCode);
  await page.getByTestId('enrol-consent').check();
  await expectAccessible(page, 'members page, enrolling');
  await page.getByTestId('enrol-without-code').click();
  await expect.poll(() => text(page, 'enrol-done')).toContain('Bayu Saputra sekarang menjadi member.');
  expect(await text(page, 'enrol-done')).toContain(`Nomor HP belum terbukti: bonus selamat datang menunggu sampai member masuk ke aplikasi member dengan nomor ${formatPhone(e164(phone))}.`);
  expect(await focusedId(page)).toBe(null);
  expect(await page.locator(':focus').getAttribute('data-testid')).toBe('enrol-done');
  expect(await codes(phone)).toEqual([]);

  const [found] = await membersWithPhone(phone);
  const member = await apiGet(`/api/v1/members/${found.id}`);
  expect(member).toMatchObject({ name: 'Bayu Saputra', source: 'referral', phoneVerified: false, marketingOptIn: true, points: { balance: 0 } });
  expect((await apiGet(`/api/v1/members/${member.id}/referrals`)).referredBy).toMatchObject({ status: 'pending', referrer: { id: ani.id } });
  expect(await page.getByTestId('enrol-open-member').getAttribute('href')).toBe(`/portal/members/${member.id}`);
  await page.context().close();
});
