import { AxeBuilder } from '@axe-core/playwright';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD, rupiah } from '../support/factories.ts';
import { signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// A friend joins from a shared link on a cheap phone (360 × 800): the public sign-up page names who
// invited them, proves the phone with a one-time code and lands on the card; what went wrong is said
// at the field it concerns, in both languages; and the same form works framed on a retailer's website.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let slug: string;
let retailer: string;
let ownerEmail: string;
let siti: { id: string; referralCode: string };

beforeAll(async () => {
  // Demo mode so the outbox shows the one-time codes.
  server = await startServer({ KARTU_DEMO: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const id = Date.now().toString(36);
  retailer = `Toko Gabung ${id}`;
  ownerEmail = `owner-${id}@join.kartu`;
  slug = (await post(owner, '/api/v1/signup', { retailerName: retailer, email: ownerEmail, password: PASSWORD, slug: `gabung-${id}` })).slug;
  await send(owner, 'patch', '/api/v1/settings/signup', { welcomeBonusPoints: 50 });
  await send(owner, 'patch', '/api/v1/settings/referrals', { referrerPoints: 100, refereePoints: 25, minSpend: rupiah(50_000) });
  siti = await post(owner, '/api/v1/members', { name: 'Siti Rahayu', phone: newPhone() });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function send(context: APIRequestContext, method: 'post' | 'patch', path: string, data?: unknown) {
  const res = await context[method](path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}
const post = (context: APIRequestContext, path: string, data: unknown) => send(context, 'post', path, data);

async function get(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

const e164 = (national: string) => `+62${national.slice(1)}`;

/** The one-time codes sent to a phone, newest first, from the retailer's outbox. */
async function codesSentTo(phone: string): Promise<string[]> {
  const outbox = await get('/api/v1/outbox');
  return outbox.items
    .filter((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164(phone))
    .map((m: { body: string }) => /(?<!\d)(\d{6})(?!\d)/.exec(m.body)![1]);
}

async function codeSentTo(phone: string): Promise<string> {
  await expect.poll(async () => (await codesSentTo(phone)).length).toBeGreaterThan(0);
  return (await codesSentTo(phone))[0];
}

const membersWithPhone = async (phone: string) => (await get(`/api/v1/members?query=${encodeURIComponent(phone)}`)).items as { id: string }[];

const phoneContext = (locale = 'id-ID') => browser.newContext({ locale, viewport: { width: 360, height: 800 } });

/** The text as read: whitespace (and no-break spaces) collapsed. */
const read = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim();
const text = (page: Page | Frame, testId: string) => read(page.getByTestId(testId));
const focusedId = (page: Page) => page.locator(':focus').getAttribute('id');

/** axe-core on the page as it is now: nothing serious or critical. */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

it('a friend invited by Siti joins from the shared link, lands on the card, and is recorded as her pending referral', async () => {
  const context = await phoneContext();
  const page = await context.newPage();
  const phone = newPhone();

  await page.goto(`${server.url}/app/${slug}/join?ref=${siti.referralCode}&tag=poster`);
  await page.getByTestId('join-form').waitFor();
  expect(await page.title()).toBe(`Daftar – ${retailer}`);
  expect(await text(page, 'join-headline')).toBe(`Gabung member ${retailer}`);
  expect(await text(page, 'join-intro')).toContain('50 poin selamat datang');
  // The welcome points, as the portal's preview of the form shows them.
  expect(await text(page, 'join-bonus')).toBe('50 poin selamat datang saat bergabung');
  // The friend's points need a first purchase of at least the retailer's minimum spend.
  expect(await text(page, 'join-invited')).toBe('Siti mengundang Anda — Anda dapat 25 poin setelah belanja pertama minimal Rp 50.000.');
  expect(await page.getByTestId('join-referral').inputValue()).toBe(siti.referralCode);
  // Indonesia's personal data protection law: consent to marketing is asked, never assumed.
  expect(await page.getByTestId('join-consent').isChecked()).toBe(false);
  expect(await page.getByTestId('join-birth-date').getAttribute('type')).toBe('date');
  expect(await page.getByTestId('join-sign-in').getAttribute('href')).toBe(`/app/${slug}`);
  await page.getByTestId('lang-switch').click();
  expect(await text(page, 'join-invited')).toBe('Siti invited you — you get 25 points after your first purchase of Rp 50.000 or more.');
  expect(await text(page, 'join-headline')).toBe(`Join ${retailer} rewards`);
  expect(await text(page, 'join-bonus')).toBe('50 welcome points when you join');
  expect(await page.title()).toBe(`Join – ${retailer}`);
  await page.getByTestId('lang-switch').click();
  // Nothing is wider than the phone.
  expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(page);

  await page.getByTestId('join-name').fill('Dewi Lestari');
  await page.getByTestId('join-phone').fill(phone);
  await page.getByTestId('join-email').fill('dewi@contoh.co.id');
  await page.getByTestId('join-birth-date').fill('1995-04-17');
  await page.getByTestId('join-consent').check();
  await page.getByTestId('join-send-code').click();

  // Step 2: the code, with a resend that waits a minute and a way back to the number.
  const codeInput = page.getByTestId('join-code');
  await codeInput.waitFor();
  expect(await text(page, 'join-code-sent')).toBe(`Kode 6 digit telah dikirim ke ${phone}. Berlaku 5 menit.`);
  expect(await codeInput.getAttribute('autocomplete')).toBe('one-time-code');
  expect(await codeInput.getAttribute('inputmode')).toBe('numeric');
  expect(await focusedId(page)).toBe('join-code');
  expect(await page.getByTestId('join-resend').isDisabled()).toBe(true);
  expect(await text(page, 'join-resend')).toMatch(/^Kirim ulang kode dalam (60|59|58) dtk$/);
  await expectAccessible(page);

  await codeInput.fill(await codeSentTo(phone));
  await page.getByTestId('join-submit').click();

  // The card, greeted once, with the welcome bonus and the referral promise; the greeting has the focus.
  await page.waitForURL(`${server.url}/app/${slug}`);
  await page.getByTestId('card-qr').locator('svg').waitFor();
  expect(await text(page, 'welcome-bonus')).toBe('Anda mendapat 50 poin selamat datang.');
  expect(await text(page, 'welcome-referral')).toBe('Anda dapat 25 poin lagi setelah belanja pertama minimal Rp 50.000.');
  expect(await read(page.locator(':focus'))).toBe('Selamat datang, Dewi!');
  // The greeting is shown once: the history entry no longer carries it, so a reload does not greet again.
  await expect.poll(() => page.evaluate('JSON.stringify(history.state)')).not.toContain('welcome');
  await page.reload();
  await page.getByTestId('card-qr').locator('svg').waitFor();
  expect(await page.getByTestId('join-welcome').count()).toBe(0);

  const [found] = await membersWithPhone(phone);
  const member = await get(`/api/v1/members/${found.id}`);
  expect(member).toMatchObject({
    name: 'Dewi Lestari', phone: e164(phone), email: 'dewi@contoh.co.id', birthDate: '1995-04-17', marketingOptIn: true,
    source: 'referral', sourceTag: 'poster', phoneVerified: true, lifecycleStage: 'prospect',
  });
  const referrals = await get(`/api/v1/members/${member.id}/referrals`);
  expect(referrals.referredBy).toMatchObject({ status: 'pending', reason: null, referrer: { id: siti.id }, referee: { id: member.id } });

  // The new member's own invite card loads after the card: their link, the rewards, no friends yet.
  // Without a share sheet (desktop Chromium) the link is copied.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const link = `${server.url}/app/${slug}/join?ref=${member.referralCode}`;
  await page.getByTestId('invite-friends').waitFor();
  expect(await text(page, 'invite-link')).toBe(link);
  expect(await text(page, 'invite-rewards')).toBe('Anda dapat 100 poin, teman Anda 25 poin setelah belanja pertamanya minimal Rp 50.000.');
  expect(await text(page, 'invite-joined')).toBe('0');
  await page.getByTestId('invite-share').click();
  await expect.poll(() => text(page, 'invite-status')).toBe('Tautan disalin. Tempel di chat ke teman Anda.');
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(link);

  // "My settings", opened from the card (its code loads only then): the consent given on joining
  // is there and can be withdrawn, which the API records.
  expect(await page.getByTestId('prefs').count()).toBe(0);
  await page.getByTestId('prefs-open').click();
  expect(await page.getByTestId('prefs-open').getAttribute('aria-expanded')).toBe('true');
  const optIn = page.getByTestId('prefs-opt-in');
  await optIn.waitFor();
  expect(await optIn.isChecked()).toBe(true);
  await optIn.uncheck();
  await expect.poll(() => text(page, 'prefs-status')).toBe('Tersimpan: Anda tidak akan menerima promo.');
  expect(await get(`/api/v1/members/${member.id}`)).toMatchObject({ marketingOptIn: false });
  expect(await focusedId(page)).toBe('prefs-opt-in');
  await expectAccessible(page);
  await optIn.check();
  await expect.poll(() => text(page, 'prefs-status')).toBe('Tersimpan: Anda akan menerima promo.');
  expect(await get(`/api/v1/members/${member.id}`)).toMatchObject({ marketingOptIn: true });

  // Signed in, the join page does not ask again: a short note and the way to the card.
  await page.goto(`${server.url}/app/${slug}/join`);
  await page.getByTestId('join-signed-in').waitFor();
  expect(await page.getByTestId('join-details').count()).toBe(0);
  expect(await page.getByTestId('join-open-card').getAttribute('href')).toBe(`/app/${slug}`);

  // Siti sees her friend counted, and what she shares names the minimum first purchase.
  const sitiContext = await signedIn(siti);
  const sitiPage = await sitiContext.newPage();
  await sitiPage.goto(`${server.url}/app/${slug}`);
  await sitiPage.getByTestId('invite-friends').waitFor();
  expect(await text(sitiPage, 'invite-joined')).toBe('1');
  expect(await text(sitiPage, 'invite-rewarded')).toBe('0');
  // A phone's share sheet, stood in for by the test.
  await sitiPage.evaluate('navigator.share = async (data) => { window.sharedData = data; }; navigator.canShare = () => true;');
  await sitiPage.getByTestId('invite-share').click();
  await expect.poll(() => sitiPage.evaluate('window.sharedData && window.sharedData.text')).toBe(
    `Gabung member ${retailer} lewat tautan saya dan dapat 25 poin setelah belanja pertama minimal Rp 50.000.`,
  );
  expect(await sitiPage.evaluate('window.sharedData.url')).toBe(`${server.url}/app/${slug}/join?ref=${siti.referralCode}`);
  await sitiContext.close();
  await context.close();
});

/** A member's phone, signed in through the API (sign-in code from the outbox). */
async function signedIn(member: { id: string }): Promise<BrowserContext> {
  const { phone } = await get(`/api/v1/members/${member.id}`);
  const national = `0${phone.slice(3)}`;
  const context = await phoneContext();
  await post(context.request, `${server.url}/api/v1/member-auth/otp`, { slug, phone: national });
  await post(context.request, `${server.url}/api/v1/member-auth/verify`, { slug, phone: national, code: await codeSentTo(national) });
  return context;
}

it('a wrong code is refused and creates nothing; an unknown referral code is shown at its field; too many codes says when to try again', async () => {
  const context = await phoneContext();
  const page = await context.newPage();
  const phone = newPhone();

  // From the sign-in screen to the form.
  await page.goto(`${server.url}/app/${slug}`);
  await page.getByTestId('join-link').click();
  await page.waitForURL(`${server.url}/app/${slug}/join`);

  // The form's own checks come first, at the fields.
  await page.getByTestId('join-send-code').click();
  expect(await text(page, 'join-error-name')).toBe('Isi nama Anda.');
  expect(await text(page, 'join-error-phone')).toBe('Isi nomor HP Anda.');
  expect(await page.getByTestId('join-name').getAttribute('aria-invalid')).toBe('true');
  expect(await focusedId(page)).toBe('join-name');

  await page.getByTestId('join-name').fill('Budi Santoso');
  await page.getByTestId('join-phone').fill(phone);
  await page.getByTestId('join-referral').fill('NOPE1234');
  await page.getByTestId('join-send-code').click();
  await page.getByTestId('join-code').waitFor();
  const code = await codeSentTo(phone);

  // A wrong code: said at the code, in both languages, and no member.
  const wrong = code.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
  await page.getByTestId('join-code').fill(wrong);
  await page.getByTestId('join-submit').click();
  await expect.poll(() => text(page, 'join-error-code')).toBe('Kode salah. Sisa 4 percobaan.');
  expect(await page.getByTestId('join-code').getAttribute('aria-invalid')).toBe('true');
  await page.getByTestId('lang-switch').click();
  expect(await text(page, 'join-error-code')).toBe('Wrong code. 4 tries left.');
  await page.getByTestId('lang-switch').click();
  expect(await membersWithPhone(phone)).toEqual([]);
  await expectAccessible(page);

  // The right code, but no member has that referral code: back at the field, which has the focus; the code is kept.
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-submit').click();
  await expect.poll(() => text(page, 'join-error-referralCode')).toBe('Kode referral ini tidak dikenal. Periksa lagi, atau kosongkan kolomnya.');
  expect(await page.getByTestId('join-referral').getAttribute('aria-invalid')).toBe('true');
  expect(await focusedId(page)).toBe('join-referralCode');
  expect(await text(page, 'join-notice')).toBe('Kode Anda masih berlaku: perbaiki kolom yang ditandai lalu tekan Daftar.');
  expect(await text(page, 'join-send-code')).toBe('Daftar');
  await page.getByTestId('lang-switch').click();
  expect(await text(page, 'join-error-referralCode')).toBe('No member has this referral code. Check it, or leave the field empty.');
  await page.getByTestId('lang-switch').click();
  expect(await membersWithPhone(phone)).toEqual([]);
  await expectAccessible(page);

  // Without it, the kept code joins at once: no second message.
  await page.getByTestId('join-referral').fill('');
  await page.getByTestId('join-send-code').click();
  await page.waitForURL(`${server.url}/app/${slug}`);
  await page.getByTestId('card-qr').locator('svg').waitFor();
  expect(await codesSentTo(phone)).toHaveLength(1);
  const [joined] = await membersWithPhone(phone);
  expect(await get(`/api/v1/members/${joined.id}`)).toMatchObject({ source: 'web_form', sourceTag: null, marketingOptIn: false, phoneVerified: true });
  expect((await get(`/api/v1/members/${joined.id}/referrals`)).referredBy).toBeNull();
  await context.close();

  // Joining again on another phone: already a member, so welcomed back and signed in.
  const again = await phoneContext();
  const againPage = await again.newPage();
  await againPage.goto(`${server.url}/app/${slug}/join`);
  await againPage.getByTestId('join-name').fill('Budi');
  await againPage.getByTestId('join-phone').fill(phone);
  await againPage.getByTestId('join-send-code').click();
  await againPage.getByTestId('join-code').waitFor();
  await expect.poll(async () => (await codesSentTo(phone)).length).toBe(2);
  await againPage.getByTestId('join-code').fill((await codesSentTo(phone))[0]);
  await againPage.getByTestId('join-submit').click();
  await againPage.waitForURL(`${server.url}/app/${slug}`);
  await againPage.getByTestId('join-welcome').waitFor();
  expect(await read(againPage.getByTestId('join-welcome').locator('h2'))).toBe('Selamat datang kembali, Budi!');
  // Closed, the focus goes to the greeting above it.
  await againPage.getByTestId('welcome-close').click();
  expect(await againPage.getByTestId('join-welcome').count()).toBe(0);
  expect(await read(againPage.locator(':focus'))).toBe('Halo, Budi Santoso');
  expect(await membersWithPhone(phone)).toHaveLength(1);
  await again.close();

  // A phone that has asked for too many codes: when to try again.
  const busyPhone = newPhone();
  const limited = await phoneContext();
  for (let i = 0; i < 3; i++) await post(limited.request, `${server.url}/api/v1/member-auth/otp`, { slug, phone: busyPhone, intent: 'sign_up' });
  const limitedPage = await limited.newPage();
  // (A link with a referral code nobody has says so at once, at the field.)
  await limitedPage.goto(`${server.url}/app/${slug}/join?ref=NOPE0000`);
  await limitedPage.getByTestId('join-form').waitFor();
  expect(await text(limitedPage, 'join-error-referralCode')).toBe('Kode referral ini tidak dikenal. Periksa lagi, atau kosongkan kolomnya.');
  expect(await limitedPage.getByTestId('join-invited').count()).toBe(0);
  await limitedPage.getByTestId('join-referral').fill('');
  await limitedPage.getByTestId('join-name').fill('Rina');
  await limitedPage.getByTestId('join-phone').fill(busyPhone);
  await limitedPage.getByTestId('join-send-code').click();
  await expect.poll(() => text(limitedPage, 'join-error')).toMatch(/^Terlalu banyak percobaan\. Coba lagi dalam \d+ (menit|detik)\.$/);
  await limited.close();
});

it('the embeddable form works in an iframe on the retailer’s website: only the form, and the card opens in a new tab', async () => {
  // Nothing stops the join page from being framed.
  const direct = await owner.get(`/app/${slug}/join?embed=1`);
  expect(direct.status()).toBe(200);
  expect(direct.headers()['x-frame-options']).toBeUndefined();
  expect(direct.headers()['content-security-policy'] ?? '').not.toContain('frame-ancestors');

  // The embed code as the portal gives it to the retailer, for the campaign tag "website": copied
  // from the sign-up settings screen, as an owner would.
  const portal = await signInPortal(browser, server.url, ownerEmail);
  await portal.goto(`${server.url}/portal/settings/signup`);
  await portal.getByTestId('poster-tag').fill('website');
  await expect.poll(() => portal.getByTestId('embed-code').inputValue()).toContain('tag=website');
  const embedCode = await portal.getByTestId('embed-code').inputValue();
  await portal.context().close();
  expect(embedCode).toContain(`src="${server.url}/app/${slug}/join?embed=1&amp;tag=website"`);
  expect(embedCode).toContain('<script>');

  // The retailer's own site on another site (127.0.0.1, the app being on localhost), served by the
  // test on loopback, with the embed code pasted in as it is.
  const html = `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Toko Contoh</title></head>
    <body style="margin:0;background:#fde68a"><h1>Toko Contoh</h1>
    ${embedCode}
    </body></html>`;
  const retailerSite = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => retailerSite.listen(0, '127.0.0.1', resolve));
  const site = `http://127.0.0.1:${(retailerSite.address() as AddressInfo).port}`;
  try {
    const context = await phoneContext();
    const page = await context.newPage();
    await page.goto(`${site}/daftar`);
    const iframe = page.locator('iframe');
    expect(await iframe.count()).toBe(1);
    const frame = await (await iframe.elementHandle())!.contentFrame();
    expect(frame).not.toBeNull();
    await frame!.getByTestId('join-form').waitFor();
    expect(await text(frame!, 'join-headline')).toBe(`Gabung member ${retailer}`);
    // No app chrome: no header with the retailer's name, no tab bar; the site shows through.
    expect(await frame!.locator('header').count()).toBe(0);
    expect(await frame!.getByRole('tablist').count()).toBe(0);
    expect(await frame!.locator('body').evaluate((body) => body.ownerDocument.defaultView.getComputedStyle(body).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
    // The snippet's script fits the iframe to the height the form posts (not the 720 pixels it
    // starts with): no scrolling inside it.
    const frameHeight = () => iframe.evaluate((el) => Math.round(el.getBoundingClientRect().height));
    const formHeight = () => frame!.locator('body').evaluate((body) => Math.ceil(body.getBoundingClientRect().height));
    await expect.poll(async () => (await frameHeight()) - (await formHeight())).toBe(0);
    expect(await frameHeight()).not.toBe(720);
    await expect.poll(() => frame!.locator('html').evaluate((html) => html.scrollHeight - html.clientHeight)).toBeLessThanOrEqual(0);
    // It takes the height only from its own frame on Kartu's origin: the same message from the
    // retailer's page (another origin) changes nothing.
    const fitted = await frameHeight();
    await page.evaluate(`window.postMessage({ type: 'kartu:join:height', height: 300 }, '*')`);
    await page.waitForTimeout(200);
    expect(await frameHeight()).toBe(fitted);
    expect(await frame!.getByTestId('join-sign-in').getAttribute('target')).toBe('_blank');
    await expectAccessible(page);

    const phone = newPhone();
    await frame!.getByTestId('join-name').fill('Wayan Putra');
    await frame!.getByTestId('join-phone').fill(phone);
    await frame!.getByTestId('join-send-code').click();
    await frame!.getByTestId('join-code').fill(await codeSentTo(phone));
    await frame!.getByTestId('join-submit').click();

    // Welcomed in the frame, which stays on the retailer's page, with a link that opens the card in a new tab.
    await frame!.getByTestId('join-welcome').waitFor();
    expect(await text(frame!, 'welcome-bonus')).toBe('Anda mendapat 50 poin selamat datang.');
    expect(page.url()).toBe(`${site}/daftar`);
    const cardLink = frame!.getByTestId('join-open-card');
    expect(await cardLink.getAttribute('target')).toBe('_blank');
    expect(await cardLink.getAttribute('href')).toBe(`/app/${slug}`);
    const [tab] = await Promise.all([context.waitForEvent('page'), cardLink.click()]);
    await tab.waitForURL(`${server.url}/app/${slug}`);
    // Signed in when the browser kept the framed page's cookie; otherwise the sign-in form.
    await tab.locator('[data-testid="card-qr"], [data-testid="phone-input"]').first().waitFor();

    const [member] = await membersWithPhone(phone);
    expect(await get(`/api/v1/members/${member.id}`)).toMatchObject({ source: 'campaign', sourceTag: 'website', phoneVerified: true });
    await context.close();
  } finally {
    await new Promise((resolve) => retailerSite.close(resolve));
  }
});
