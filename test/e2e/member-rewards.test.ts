import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD, rupiah } from '../support/factories.ts';
import { decodeQrImage } from '../support/qr-decode.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A member on a cheap phone (360 px) redeems points in the member app: the catalog says what each
// reward gives and why one cannot be redeemed, a refusal comes in the member's language, the
// voucher's QR (decoded from Chromium's pixels) is the code, and that code applies at checkout.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let slug: string;

beforeAll(async () => {
  // Demo mode so the outbox shows the member's one-time code.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const id = Date.now().toString(36);
  slug = (await post(owner, '/api/v1/signup', { retailerName: `Toko Hadiah ${id}`, email: `owner-${id}@rewards.kartu`, password: PASSWORD, slug: `hadiah-${id}` })).slug;
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function post(context: APIRequestContext, path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await context.post(path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

const newReward = (reward: Record<string, unknown>) => post(owner, '/api/v1/rewards', reward);

async function memberWithPoints(points: number) {
  const phone = newPhone();
  const member = await post(owner, '/api/v1/members', { name: 'Dewi Lestari', phone });
  await post(owner, `/api/v1/members/${member.id}/points/adjustments`, { points, reason: 'saldo awal' });
  return { ...member, phone };
}

/** The member signed in on a 360 px phone in Indonesian (one-time code read from the owner's outbox). */
async function memberPhone(nationalPhone: string): Promise<BrowserContext> {
  const phone = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 } });
  const e164 = `+62${nationalPhone.slice(1)}`;
  await post(phone.request, `${server.url}/api/v1/member-auth/otp`, { slug, phone: nationalPhone });
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  const message = outbox.items.find((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164);
  const code = /\b(\d{6})\b/.exec(message.body)![1];
  await post(phone.request, `${server.url}/api/v1/member-auth/verify`, { slug, phone: nationalPhone, code });
  return phone;
}

const rewardItem = (page: Page, id: string) => page.locator(`[data-testid="reward"][data-reward-id="${id}"]`);
/** The text as read: amounts keep "Rp" and the number together with a no-break space. */
const read = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const text = (page: Page, testId: string) => read(page.getByTestId(testId));
const termsOf = (page: Page, id: string) => read(rewardItem(page, id).getByTestId('reward-terms'));

it('a member redeems a voucher reward on the phone; its QR decodes to the code, which applies at checkout', async () => {
  const voucherReward = await newReward({
    name: 'Voucher Belanja', pointsCost: 500, fulfilment: 'voucher',
    voucher: { kind: 'amount', value: rupiah(20_000), minSpend: rupiah(100_000), validDays: 30 },
  });
  const tumbler = await newReward({ name: 'Tumbler Kartu', pointsCost: 200, stock: 5, fulfilment: 'physical' });
  const bike = await newReward({ name: 'Sepeda Lipat', pointsCost: 5_000, fulfilment: 'physical' });
  const lastCoffee = await newReward({
    name: 'Kopi Gratis', pointsCost: 100, stock: 1, fulfilment: 'voucher', voucher: { kind: 'free_item', sku: 'KOPI-250', validDays: 7 },
  });
  const member = await memberWithPoints(800);
  const rival = await memberWithPoints(100);

  const phone = await memberPhone(member.phone);
  const page = await phone.newPage();
  await page.goto(`${server.url}/app/${slug}`);
  // The card is what the member sees first; the rewards are one tab away.
  await page.getByTestId('card-qr').locator('svg').waitFor();
  await expect.poll(() => text(page, 'points-balance')).toBe('800');
  await page.getByTestId('tab-rewards').click();
  await rewardItem(page, voucherReward.id).waitFor();

  // What each gives in plain words, low stock, and the reason a reward cannot be redeemed.
  expect(await termsOf(page, voucherReward.id)).toBe('Voucher Rp 20.000, min. belanja Rp 100.000, berlaku 30 hari');
  expect(await termsOf(page, tumbler.id)).toBe('Hadiah fisik: Tumbler Kartu — ambil di toko');
  expect(await rewardItem(page, tumbler.id).getByTestId('reward-stock').textContent()).toBe('Tinggal 5 lagi');
  expect(await termsOf(page, lastCoffee.id)).toBe('Item gratis: KOPI-250, berlaku 7 hari');
  expect(await rewardItem(page, bike.id).getByTestId('reward-blocked').textContent()).toBe('Butuh 4.200 poin lagi.');
  expect(await rewardItem(page, bike.id).getByTestId('redeem').isDisabled()).toBe(true);
  await page.getByTestId('lang-switch').click();
  expect(await termsOf(page, voucherReward.id)).toBe('Voucher Rp 20.000, min. spend Rp 100.000, valid 30 days');
  expect(await rewardItem(page, bike.id).getByTestId('reward-blocked').textContent()).toBe('You need 4,200 more points.');
  await page.getByTestId('lang-switch').click();

  // The last coffee goes to someone else while the member looks: the refusal is in Indonesian, nothing is spent.
  await post(owner, `/api/v1/rewards/${lastCoffee.id}/redemptions`, { memberId: rival.id }, { 'Idempotency-Key': randomUUID() });
  await rewardItem(page, lastCoffee.id).getByTestId('redeem').click();
  await page.getByTestId('confirm-redeem').click();
  await expect.poll(() => text(page, 'redeem-error')).toBe('Stok hadiah ini sudah habis.');
  expect(await page.getByTestId('confirm-redeem').count()).toBe(0);
  await page.getByTestId('cancel-redeem').click();
  await expect.poll(() => rewardItem(page, lastCoffee.id).getByTestId('reward-blocked').textContent()).toBe('Stok habis');

  // The voucher: the confirmation shows the points before and after. The first answer is lost on
  // the way back (the server did redeem); the retry sends the same Idempotency-Key and gets that
  // answer again, so the points are spent once.
  const keys: (string | undefined)[] = [];
  await page.route('**/api/v1/me/rewards/*/redemptions', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length > 1) return route.continue();
    await route.fetch();
    await route.abort('internetdisconnected');
  });
  await rewardItem(page, voucherReward.id).getByTestId('redeem').click();
  expect(await text(page, 'redeem-before')).toBe('800');
  expect(await text(page, 'redeem-after')).toBe('300');
  await page.getByTestId('confirm-redeem').click();
  await expect.poll(() => text(page, 'redeem-error')).toBe('Tidak ada koneksi. Periksa data atau Wi-Fi Anda lalu coba lagi.');
  expect(await text(page, 'confirm-redeem')).toBe('Coba lagi');
  await page.getByTestId('confirm-redeem').click();
  const shownAtOnce = await page.getByTestId('redeemed-voucher').getByTestId('voucher-code').textContent();
  expect(shownAtOnce).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
  expect(await text(page, 'redeemed-balance')).toBe('Poin Anda sekarang 300.');
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  await page.unroute('**/api/v1/me/rewards/*/redemptions');
  await page.getByTestId('close-redeem').click();

  // A physical reward: collect at the store, listed under the vouchers until handed over.
  await expect.poll(() => rewardItem(page, tumbler.id).getByTestId('redeem').isEnabled()).toBe(true);
  await rewardItem(page, tumbler.id).getByTestId('redeem').click();
  expect(await text(page, 'redeem-after')).toBe('100');
  await page.getByTestId('confirm-redeem').click();
  expect(await text(page, 'redeemed-physical')).toBe('Ambil Tumbler Kartu Anda di toko: tunjukkan kartu member ke kasir.');
  await page.getByTestId('close-redeem').click();
  await expect.poll(() => rewardItem(page, voucherReward.id).getByTestId('reward-blocked').textContent()).toBe('Butuh 400 poin lagi.');

  const { items: vouchers } = await (await phone.request.get(`${server.url}/api/v1/me/vouchers`)).json();
  expect(vouchers).toHaveLength(1);
  const code: string = vouchers[0].code;
  expect(shownAtOnce!.replaceAll('-', '')).toBe(code);

  await page.getByTestId('tab-vouchers').click();
  expect(await text(page, 'tab-vouchers')).toBe('Voucher 1');
  const voucher = page.locator(`[data-testid="voucher-list"] [data-code="${code}"]`);
  await voucher.getByTestId('voucher-qr').locator('svg').waitFor();
  expect(await voucher.getByTestId('voucher-code').textContent()).toBe(shownAtOnce);
  await expect.poll(() => read(voucher)).toContain('Minimal belanja Rp 100.000');
  const lastDay = new Intl.DateTimeFormat('id-ID', { dateStyle: 'medium', timeZone: 'Asia/Jakarta' }).format(new Date(vouchers[0].expiresAt));
  expect(await voucher.getByTestId('voucher-expiry').textContent()).toBe(`Berlaku sampai ${lastDay}`);
  expect(await page.getByTestId('pickup').textContent()).toContain('Tumbler Kartu');

  // The till's scanner reads what the screen shows.
  const decoded = decodeQrImage(await voucher.getByTestId('voucher-qr').screenshot());
  expect(decoded).toEqual([code]);

  await page.getByTestId('tab-card').click();
  await expect.poll(() => text(page, 'points-balance')).toBe('100');
  await phone.close();

  const cart = (unitPrice: number) => ({ memberId: member.id, channel: 'store', items: [{ sku: 'KOPI-1K', quantity: 1, unitPrice }], voucherCodes: [decoded[0]] });
  const applied = await post(owner, '/api/v1/checkout/evaluate', cart(rupiah(150_000)));
  expect(applied.rejected).toEqual([]);
  expect(applied.applied).toEqual([expect.objectContaining({ source: 'voucher', code, amount: rupiah(20_000) })]);
  expect(applied.total).toBe(rupiah(130_000));
  // What the voucher needs: below the minimum spend it does not apply.
  const tooSmall = await post(owner, '/api/v1/checkout/evaluate', cart(rupiah(99_000)));
  expect(tooSmall.rejected).toEqual([{ code, reason: 'min_spend' }]);
});
