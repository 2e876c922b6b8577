import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Locator, type Page } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A member's week in the app on a 360 × 800 phone, in Bahasa Indonesia: the history says where each
// point came from (the store of the sale, the shop's correction, the reward), what expires when, the
// exact spend still needed for Gold with its bar, which rewards the points buy now and redeeming one,
// the vouchers the soonest to end first, the invite link copied where the phone cannot share, each
// invited friend's status, and the shop's answer to a complaint — each screen checked with axe.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode: the outbox shows the member's one-time sign-in code; retailer sign-up is open.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function send(method: 'post' | 'patch', path: string, data: unknown, headers: Record<string, string> = {}) {
  const res = await owner[method](path, { data, headers });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}
const apiPost = (path: string, data: unknown, headers: Record<string, string> = {}) => send('post', path, data, headers);

const slow = { timeout: 15_000 };
const rupiah = (amount: number) => amount * 100;
const inDays = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();
/** The text as read: amounts keep "Rp" and the number together with a no-break space. */
const read = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const texts = async (locator: Locator) => (await locator.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
const jakartaDay = (iso: string) => new Intl.DateTimeFormat('id-ID', { dateStyle: 'medium', timeZone: 'Asia/Jakarta' }).format(new Date(iso));

async function signInMember(page: Page, slug: string, phone: string) {
  const sent = () => codesSentTo((path) => owner.get(path), phone);
  const before = (await sent()).length;
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('phone-input').fill(phone);
  await page.getByTestId('send-code').click();
  await expect.poll(async () => (await sent()).length, slow).toBe(before + 1);
  await page.getByTestId('code-input').fill((await sent())[0]);
  await page.getByTestId('verify-code').click();
  await page.getByTestId('points-balance').waitFor();
}

it('a member reads the history, expiry and tier progress, redeems what the points buy, sees vouchers by expiry, shares the invite and reads the shop’s answer', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const { slug } = await apiPost('/api/v1/signup', { retailerName: `Toko Alur ${id}`, email: `owner-${id}@flows.kartu`, password: PASSWORD, slug: `alur-${id}` });
  // Points are spendable at once and last a year, so the sale's points show in "expiring soon".
  await send('patch', '/api/v1/settings/points', { returnWindowDays: 0, expiryPolicy: 'months', expiryMonths: 12, tierBasis: 'spend' });
  const store = await apiPost('/api/v1/stores', { code: 'SUD', name: 'Toko Sudirman' });
  const ladder = (await (await owner.get('/api/v1/tiers')).json()).items as { name: string; rank: number; minQualifying: number }[];
  const entry = ladder.reduce((a, b) => (a.rank <= b.rank ? a : b));
  expect(entry.minQualifying).toBe(0);
  const topRank = Math.max(...ladder.map((tier) => tier.rank));
  await apiPost('/api/v1/tiers', { code: 'gold', name: 'Gold', rank: topRank + 1, minQualifying: rupiah(500_000), earnMultiplier: 1.5, freeShipping: true });

  const phone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Rina Wijaya', phone });
  await apiPost(`/api/v1/members/${member.id}/points/adjustments`, { points: 1_000, reason: 'Kompensasi antrean' });
  const sale = await apiPost(
    '/api/v1/transactions',
    { memberId: member.id, storeId: store.id, receiptNo: 'R-SUD-1', items: [{ sku: 'KOPI', name: 'Kopi', quantity: 1, unitPrice: rupiah(150_000) }] },
    { 'Idempotency-Key': randomUUID() },
  );
  const voucherReward = await apiPost('/api/v1/rewards', {
    name: 'Voucher Belanja', pointsCost: 500, fulfilment: 'voucher', voucher: { kind: 'amount', value: rupiah(20_000), validDays: 30 },
  });
  const bike = await apiPost('/api/v1/rewards', { name: 'Sepeda Lipat', pointsCost: 50_000, fulfilment: 'physical' });
  // Made in this order, newest first would list "Jauh" before "Segera".
  await apiPost('/api/v1/vouchers/batches', { count: 1, kind: 'amount', value: rupiah(5_000), memberId: member.id, name: 'Voucher Segera', expiresAt: inDays(2) });
  await apiPost('/api/v1/vouchers/batches', { count: 1, kind: 'percent', value: 10, memberId: member.id, name: 'Voucher Jauh', expiresAt: inDays(40) });

  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  // A desktop Chromium has no share sheet on Linux; made sure here, so the copy fallback is what runs.
  await context.addInitScript({ content: "Object.defineProperty(Navigator.prototype, 'share', { value: undefined, configurable: true });" });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  await signInMember(page, slug, phone);

  // A friend joined with Rina's code (at the till): listed as waiting for a first purchase.
  const { code: referralCode } = await (await context.request.get(`${server.url}/api/v1/me/referrals`)).json();
  await apiPost('/api/v1/members', { name: 'Budi Santoso', phone: newPhone(), referralCode });
  // Rina complained in the app; the shop answered and closed it.
  const complaint = await (await context.request.post(`${server.url}/api/v1/me/feedback`, { data: { kind: 'complaint', text: 'Antrean kasir lama sekali.' } })).json();
  await apiPost(`/api/v1/feedback/${complaint.id}/replies`, { text: 'Maaf, Bu Rina. Kami menambah satu kasir di jam sibuk.', status: 'resolved' });
  await page.reload();
  await page.getByTestId('card-qr').locator('svg').waitFor();

  // ——— Points: where each came from, and what expires when. ———
  const balance = 1_000 + sale.pointsEarned;
  await expect.poll(() => read(page.getByTestId('points-balance'))).toBe(new Intl.NumberFormat('id-ID').format(balance));
  const history = page.getByTestId('history-item');
  await expect.poll(() => history.count()).toBe(2);
  expect(await texts(page.getByTestId('history-reason'))).toEqual(['Belanja di Toko Sudirman', 'Koreksi oleh toko']);
  expect(await texts(page.getByTestId('history-detail'))).toEqual(['Struk R-SUD-1', 'Alasan: Kompensasi antrean']);
  const { expiring } = await (await context.request.get(`${server.url}/api/v1/me/points`)).json();
  expect(expiring.length).toBeGreaterThan(0);
  expect(await texts(page.getByTestId('expiring-lot'))).toEqual(
    expiring.map((lot: { points: number; expiresAt: string }) => `${new Intl.NumberFormat('id-ID').format(lot.points)} poin kedaluwarsa pada ${jakartaDay(lot.expiresAt)}`),
  );

  // ——— Tier: the exact spend still needed for Gold, and the bar from here to there. ———
  const tier = page.getByTestId('tier-progress');
  await tier.waitFor();
  expect(await read(tier.getByTestId('tier-to-next'))).toBe('Belanja Rp 350.000 lagi untuk Gold');
  expect(await tier.getByTestId('tier-bar').getAttribute('aria-valuenow')).toBe('30');
  expect(await read(tier.getByTestId('tier-current'))).toBe(entry.name);
  expect(await read(tier)).toContain('Di Gold: 1,5× poin setiap belanja · Gratis ongkir untuk pesanan online');

  // ——— Refer a friend: no share sheet, so the link is copied; the friend's status is listed. ———
  const invite = page.getByTestId('invite-friends');
  await invite.waitFor(slow);
  expect(await texts(invite.getByTestId('invite-friend'))).toEqual(['Budi Sudah bergabung — menunggu belanja pertamanya']);
  await invite.getByTestId('invite-share').click();
  await expect.poll(() => read(invite.getByTestId('invite-status'))).toBe('Tautan disalin. Tempel di chat ke teman Anda.');
  const link = await read(invite.getByTestId('invite-link'));
  expect(link).toBe(`${server.url}/app/${slug}/join?ref=${referralCode}`);
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(link);

  // ——— Feedback: the shop's answer in the thread. ———
  await page.getByTestId('feedback-open').click();
  const answer = page.locator('[data-testid="my-feedback-message"][data-from="shop"]');
  await answer.waitFor(slow);
  expect(await read(answer)).toContain('Maaf, Bu Rina. Kami menambah satu kasir di jam sibuk.');
  expect(await read(page.getByTestId('my-feedback-status'))).toBe('Selesai');
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await expectAccessible(page, 'member app card tab with history, tier, invite and feedback');

  // In English the same history reads in English.
  await page.getByTestId('lang-switch').click();
  expect(await texts(page.getByTestId('history-reason'))).toEqual(['Purchase at Toko Sudirman', 'Correction by the shop']);
  expect(await read(tier.getByTestId('tier-to-next'))).toBe('Spend Rp 350.000 more to reach Gold');
  await page.getByTestId('lang-switch').click();

  // ——— Rewards: what the points buy now, and redeeming it. ———
  await page.getByTestId('tab-rewards').click();
  const reward = (rewardId: string) => page.locator(`[data-testid="reward"][data-reward-id="${rewardId}"]`);
  await reward(voucherReward.id).waitFor(slow);
  expect(await read(page.getByTestId('rewards-affordable'))).toBe('Anda bisa menukar 1 hadiah ini sekarang.');
  expect(await read(reward(voucherReward.id).getByTestId('reward-can'))).toBe('Bisa ditukar sekarang');
  expect(await read(reward(bike.id).getByTestId('reward-blocked'))).toBe(`Butuh ${new Intl.NumberFormat('id-ID').format(50_000 - balance)} poin lagi.`);
  await expectAccessible(page, 'member app rewards tab');
  await reward(voucherReward.id).getByTestId('redeem').click();
  await page.getByTestId('confirm-redeem').click();
  await page.getByTestId('redeemed-voucher').waitFor();
  await page.getByTestId('close-redeem').click();

  // ——— Vouchers: the soonest to end first, with when it ends. ———
  await page.getByTestId('tab-vouchers').click();
  const vouchers = page.locator('[data-testid="voucher-list"] > li');
  await expect.poll(() => vouchers.count(), slow).toBe(3);
  expect(await texts(vouchers.locator('.name'))).toEqual(['Voucher Segera', 'Voucher Belanja', 'Voucher Jauh']);
  expect(await read(vouchers.nth(0).getByTestId('voucher-soon'))).toBe('Berakhir dalam 2 hari');
  expect(await vouchers.nth(1).getByTestId('voucher-soon').count()).toBe(0);
  await vouchers.nth(0).getByTestId('voucher-qr').locator('svg').waitFor();
  await expectAccessible(page, 'member app vouchers tab');

  // The redemption is in the history in words.
  await page.getByTestId('tab-card').click();
  await expect.poll(() => texts(page.getByTestId('history-reason'))).toContain('Tukar hadiah: Voucher Belanja');
  await context.close();
});
