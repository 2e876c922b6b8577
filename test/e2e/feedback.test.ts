import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Listen: a member rates a visit and complains in the app on a 360 px phone; the marketer finds the
// complaint in the portal's inbox, assigns it to herself, replies and resolves it; the member sees
// the reply in the app; the reply went out through the outbox; the satisfaction view counts the rating.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'on' });
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

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

const slow = { timeout: 10_000 };

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

it('a member rates and complains in the app; the marketer assigns, replies and resolves; the member reads the reply', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const signup = await apiPost('/api/v1/signup', { retailerName: `Toko Roti ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `roti-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Rina', role: 'marketer', password: PASSWORD });
  const phone = newPhone();
  const member = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone });
  const sale = await apiPost(
    '/api/v1/transactions',
    { memberId: member.id, storeId: store.id, receiptNo: `R-${id}`, items: [{ sku: 'ROTI', quantity: 2, unitPrice: 2_500_000 }] },
    { 'Idempotency-Key': randomUUID() },
  );

  // ——— The member app on a 360 px phone, in Bahasa Indonesia. ———
  const phoneContext = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 800 }, timezoneId: 'Asia/Jakarta' });
  const app = await phoneContext.newPage();
  await signInMember(app, signup.slug, phone);
  await app.getByTestId('feedback-open').click();
  const rateForm = app.getByTestId('rate-form');
  await rateForm.waitFor();
  // Sending without stars says so at the stars.
  await app.getByTestId('rate-send').click();
  await expect.poll(() => rateForm.textContent()).toContain('Pilih 1 sampai 5 bintang.');
  // The stars are a radio group: 4 of 5 by their label, then the keyboard moves to 5 and back.
  await app.getByRole('radio', { name: '4 dari 5 bintang, Baik' }).focus();
  await app.keyboard.press('ArrowRight');
  expect(await app.getByRole('radio', { name: /^5 dari 5 bintang/ }).isChecked()).toBe(true);
  await app.keyboard.press('ArrowLeft');
  expect(await app.getByRole('radio', { name: /^4 dari 5 bintang/ }).isChecked()).toBe(true);
  await app.getByTestId('rate-purchase').selectOption(sale.id);
  await app.getByTestId('rate-comment').fill('Rotinya enak, antriannya panjang');
  await app.getByTestId('rate-send').click();
  await expect.poll(() => app.getByTestId('rate-status').textContent(), slow).toBe('Terima kasih atas penilaian Anda!');

  await app.getByTestId('kind-complaint').check();
  await app.getByTestId('message-store').selectOption(store.id);
  await app.getByTestId('message-text').fill('Roti tawar yang saya beli sudah berjamur');
  await app.getByTestId('message-send').click();
  await expect.poll(() => app.getByTestId('message-status').textContent(), slow).toBe('Terkirim. Kami akan membalas di sini.');
  await expect.poll(() => app.getByTestId('my-feedback-item').count(), slow).toBe(2);
  expect(await app.getByTestId('my-feedback-status').allTextContents()).toEqual(['Diterima', 'Diterima']);
  await expectAccessible(app, 'member app: feedback');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);
  await app.getByTestId('lang-switch').click();
  await expect.poll(() => app.getByTestId('rate-send').textContent()).toBe('Send rating');
  expect(await app.getByTestId('my-feedback-status').allTextContents()).toEqual(['Received', 'Received']);
  await expectAccessible(app, 'member app: feedback, in English');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);

  // ——— The portal: the marketer's inbox, filtered to complaints; the thread; assign, reply and resolve. ———
  const portal = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
  await openFromMenu(portal, 'Customers', 'Feedback inbox');
  await expect.poll(() => portal.getByTestId('feedback-row').count(), slow).toBe(2);
  await portal.getByTestId('filter-kind').selectOption('complaint');
  await portal.getByTestId('filter-apply').click();
  await expect.poll(() => portal.getByTestId('feedback-row').count(), slow).toBe(1);
  const row = portal.getByTestId('feedback-row');
  expect(await row.textContent()).toContain('Roti tawar yang saya beli sudah berjamur');
  expect(await row.getByTestId('feedback-status').textContent()).toBe('Open');
  await expectAccessible(portal, 'feedback inbox');
  await row.getByTestId('feedback-link').click();
  await portal.getByTestId('thread-text').waitFor();
  expect(await portal.getByTestId('thread-text').textContent()).toBe('Roti tawar yang saya beli sudah berjamur');
  await portal.getByTestId('assignee').selectOption({ label: 'Mbak Rina' });
  await portal.getByTestId('assign-save').click();
  await expect.poll(() => portal.getByTestId('thread-assignee').textContent(), slow).toBe('Mbak Rina');
  await portal.getByTestId('reply-text').fill('Mohon maaf, Bu Dewi. Silakan tukar di toko dengan struk Anda.');
  await portal.getByTestId('reply-resolve').check();
  await portal.getByTestId('reply-send').click();
  await expect.poll(() => portal.getByTestId('thread-status').textContent(), slow).toBe('Resolved');
  expect(await portal.getByTestId('thread-message').textContent()).toContain('Mohon maaf, Bu Dewi.');
  await expectAccessible(portal, 'feedback thread');

  // The satisfaction view: the rating of 4 this month, the complaint answered, the rating's comment waiting.
  await openFromMenu(portal, 'Reports', 'Satisfaction');
  await portal.getByTestId('sat-total').waitFor(slow);
  expect(await portal.getByTestId('sat-total').getByTestId('sat-average').textContent()).toBe('4.00');
  expect(await portal.getByTestId('sat-total').getByTestId('sat-count').textContent()).toBe('1');
  expect(await portal.getByTestId('sat-total').getByTestId('sat-distribution').textContent()).toBe('0 / 0 / 0 / 1 / 0');
  expect(await portal.getByTestId('response-answered').textContent()).toBe('1 / 2');
  expect(await portal.getByTestId('response-waiting').textContent()).toBe('1');
  await portal.locator('svg[role="img"]').waitFor();
  await expectAccessible(portal, 'satisfaction');
  await portal.context().close();

  // ——— The member sees the reply. ———
  await app.reload();
  await app.getByTestId('points-balance').waitFor();
  await app.getByTestId('feedback-open').click();
  const reply = app.locator('[data-testid="my-feedback-message"][data-from="shop"]');
  await reply.waitFor(slow);
  expect(await reply.textContent()).toContain('Mohon maaf, Bu Dewi. Silakan tukar di toko dengan struk Anda.');
  const complaint = app.locator('[data-testid="my-feedback-item"][data-kind="complaint"]');
  expect(await complaint.getByTestId('my-feedback-status').textContent()).toBe('Resolved');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);

  // ——— She writes back: the thread opens again, and the staff see her answer. ———
  await complaint.getByTestId('write-back').click();
  await complaint.getByTestId('write-back-send').click();
  expect(await complaint.getByRole('alert').textContent()).toBe('Write your message.');
  await complaint.getByTestId('write-back-text').fill('Terima kasih, sudah saya tukar.');
  await complaint.getByTestId('write-back-send').click();
  await expect.poll(() => complaint.locator('[data-testid="my-feedback-message"][data-from="member"]').textContent(), slow).toContain('Terima kasih, sudah saya tukar.');
  expect(await complaint.getByTestId('my-feedback-status').textContent()).toBe('Received');
  await expectAccessible(app, 'member app: a conversation with a written-back answer');
  expect(await pageWidth(app)).toBeLessThanOrEqual(360);
  await phoneContext.close();

  const staffView = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
  const threads = (await apiGet('/api/v1/feedback?kind=complaint')).items as { id: string }[];
  await staffView.goto(`${server.url}/portal/feedback/${threads[0]!.id}`);
  await expect.poll(() => staffView.getByTestId('thread-message').count(), slow).toBe(2);
  expect(await staffView.getByTestId('thread-message').nth(1).textContent()).toContain('Terima kasih, sudah saya tukar.');
  expect(await staffView.getByTestId('thread-status').textContent()).toBe('Open');
  // No WhatsApp gateway is set up in this shop: the inbox says the reply only reached the app.
  expect(await staffView.getByTestId('reply-delivery').getAttribute('data-status')).toBe('unconfigured');
  expect(await staffView.getByTestId('reply-delivery').textContent()).toContain('no WhatsApp transport is set up');
  await expectAccessible(staffView, 'feedback thread with delivery state');
  await staffView.context().close();

  // ——— And it went out through the outbox, to the member's phone. ———
  const outbox = (await apiGet('/api/v1/outbox')).items as { recipient: string; purpose: string; body: string }[];
  const sent = outbox.filter((m) => m.purpose === 'feedback_reply');
  expect(sent).toHaveLength(1);
  expect(sent[0].recipient).toBe(`+62${phone.slice(1)}`);
  expect(sent[0].body).toContain('Mohon maaf, Bu Dewi. Silakan tukar di toko dengan struk Anda.');
  expect(sent[0].body).toContain('Dewi Lestari');
}, 180_000);
