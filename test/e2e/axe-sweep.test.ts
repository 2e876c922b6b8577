import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Browser, type Page } from 'playwright-core';
import { createDb, migrateToLatest } from '@kartu/db';
import { createApp } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config.ts';
import { createRateLimits } from '../../api/src/http/rate-limits.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newMember, newStore, newTenant, PASSWORD, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale } from '../support/points.ts';
import { inDays, newPromotion, newVoucherBatch } from '../support/promotions.ts';
import { newReward, physicalReward } from '../support/rewards.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { TEST_SECRET, type TestApp } from '../support/test-app.ts';

// axe-core over every main screen. The portal's pages come from its own menu, so a screen added to
// the menu is swept without touching this file; each list page also lends its first detail link.
// The retailer is built with the factories before the server starts, on the data folder the server
// then opens: in demo mode (one-time codes readable in the outbox) without the demo's long seeding.

let server: RunningServer;
let browser: Browser;
let tenant: Tenant;
let member: { id: string; phone: string };
const dataDir = mkdtempSync(join(tmpdir(), 'kartu-axe-'));

beforeAll(async () => {
  const config = loadConfig({ KARTU_SECRET_KEY: TEST_SECRET, KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', DATABASE_URL: process.env.DATABASE_URL ?? '' });
  const db = await createDb({ url: config.databaseUrl, dataDir });
  if (!config.databaseUrl) await migrateToLatest(db);
  const { app } = createApp({ db, config, log: pino({ level: 'silent' }), limits: createRateLimits() });
  const callback = app.callback();
  const local = { deps: { db, config }, http: request(callback), agent: () => request.agent(callback) } as unknown as TestApp;
  try {
    await retailerWithData(local);
  } finally {
    await db.destroy();
  }
  server = await startServer({ KARTU_DEMO: 'on', KARTU_DATA_DIR: dataDir });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One of each thing the portal lists, so that its list and detail pages have rows to show. */
async function retailerWithData(app: TestApp) {
  tenant = await newTenant(app);
  const store = await newStore(tenant, { code: 'KMG', name: 'Toko Kemang' });
  const phone = '081299887766';
  const created = await newMember(tenant, { name: 'Siti Rahayu', phone, email: 'siti@contoh.id', birthDate: '1990-05-17' });
  member = { id: created.id, phone };
  const friend = await newMember(tenant, { name: 'Budi Santoso' });
  for (const [who, price] of [[created.id, 275_000], [created.id, 1_250_000], [friend.id, 90_000]] as const) {
    await postSale(tenant, saleBody({ memberId: who, storeId: store.id, items: [{ sku: 'KOPI-250', name: 'Kopi Gayo 250 g', category: 'kopi', quantity: 1, unitPrice: rupiah(price) }] }));
  }
  const owner = tenant.owner;
  const created201 = async (path: string, body: Record<string, unknown>) => {
    const res = await owner.post(path).send(body);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
  };
  await created201('/api/v1/earning-rules', { name: 'Akhir pekan ×2', conditions: { daysOfWeek: [6, 7] }, effect: { type: 'multiplier', multiplier: 2 } });
  await newPromotion(tenant, { name: 'Gratis ongkir', effect: { type: 'free_shipping' } });
  await newVoucherBatch(tenant, { count: 3, prefix: 'HEMAT' });
  await newReward(tenant, { name: 'Voucher Rp 10.000' });
  await physicalReward(tenant, { pointsCost: 500, stock: 10 });
  await created201('/api/v1/segments', { code: `kopi-${randomUUID().slice(0, 6)}`, name: 'Pembeli kopi', rules: { match: 'all', conditions: [{ type: 'bought', skus: ['KOPI-250'] }] } });
  await created201('/api/v1/offers', {
    name: 'Kopi → dripper V60', kind: 'cross_sell', trigger: { skus: ['KOPI-250'] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
    message: { id: 'Coba seduh dengan V60', en: 'Brew it with a V60' }, bonusPoints: 30, startsAt: new Date().toISOString(), endsAt: inDays(30),
  });
  await created201('/api/v1/automations', { name: 'Selamat ulang tahun', trigger: { kind: 'birthday' }, points: 100 });
  await owner.post(`/api/v1/members/${created.id}/points/adjustments`).send({ points: 1_500, reason: 'saldo awal' }).expect(201);
}

/** Every violation of the sweep, so that one run reports all the pages at once. */
async function sweep(page: Page, paths: string[], findings: string[]) {
  for (const path of paths) {
    await page.goto(`${server.url}${path}`);
    await settled(page);
    try {
      await expectAccessible(page, path);
    } catch (error) {
      findings.push((error as Error).message);
    }
  }
}

/** The page has drawn its data (panels that load as they come into view too): nothing is loading and no request is open. */
async function settled(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.locator('h1').first().waitFor();
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await page.waitForLoadState('networkidle');
  await expect.poll(() => page.getByText(/^(Loading…|Memuat…)$/).count()).toBe(0);
}

async function signInPortal(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(tenant.ownerEmail);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('staff-name').waitFor();
  return page;
}

const pathsOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((links) => links.map((link) => new URL((link as unknown as { href: string }).href).pathname));

it('the portal’s menu pages, their first detail pages and a member’s page have no serious or critical axe violation', async () => {
  const page = await signInPortal('en-US');
  const menu = [...new Set(await pathsOf(page, 'nav a[href]'))];
  expect(menu.length).toBeGreaterThan(20);

  const details: string[] = [];
  for (const path of menu) {
    await page.goto(`${server.url}${path}`);
    await settled(page);
    const below = (await pathsOf(page, 'main a[href]')).find((link) => link.startsWith(`${path}/`) && !menu.includes(link));
    if (below) details.push(below);
  }
  details.push(`/portal/members/${member.id}`);
  expect(details.length).toBeGreaterThan(5);

  const findings: string[] = [];
  await sweep(page, [...menu, ...details], findings);
  expect(findings).toEqual([]);
}, 900_000);

it('a few portal pages in Bahasa Indonesia have no serious or critical axe violation', async () => {
  const page = await signInPortal('id-ID');
  const findings: string[] = [];
  await sweep(page, ['/portal/till', '/portal/members', `/portal/members/${member.id}`, '/portal/programs/promotions', '/portal/reports/liability'], findings);
  expect(await page.locator('html').getAttribute('lang')).toBe('id');
  expect(findings).toEqual([]);
}, 300_000);

it('the member app’s sign-in, join form and the signed-in member’s tabs have no serious or critical axe violation, in both languages', async () => {
  const findings: string[] = [];
  const phone = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 } });
  const page = await phone.newPage();
  await sweep(page, [`/app/${tenant.slug}`, `/app/${tenant.slug}/join`], findings);

  const owner = await signInPortal('id-ID');
  const sent = await phone.request.post(`${server.url}/api/v1/member-auth/otp`, { data: { slug: tenant.slug, phone: member.phone } });
  expect(sent.status(), await sent.text()).toBeLessThan(300);
  const outbox = (await (await owner.request.get(`${server.url}/api/v1/outbox`)).json()) as { items: { recipient: string; purpose: string; body: string }[] };
  const e164 = `+62${member.phone.slice(1)}`;
  const code = /\b(\d{6})\b/.exec(outbox.items.find((m) => m.purpose === 'otp' && m.recipient === e164)!.body)![1];
  const verified = await phone.request.post(`${server.url}/api/v1/member-auth/verify`, { data: { slug: tenant.slug, phone: member.phone, code } });
  expect(verified.status(), await verified.text()).toBeLessThan(300);

  for (const language of ['id', 'en']) {
    await page.goto(`${server.url}/app/${tenant.slug}`);
    await page.getByTestId('card-qr').locator('svg').waitFor();
    if ((await page.locator('html').getAttribute('lang')) !== language) await page.getByTestId('lang-switch').click();
    expect(await page.locator('html').getAttribute('lang')).toBe(language);
    for (const tab of ['card', 'rewards', 'vouchers']) {
      await page.getByTestId(`tab-${tab}`).click();
      await page.waitForLoadState('networkidle');
      await expect.poll(() => page.getByText(/^(Loading…|Memuat…)$/).count()).toBe(0);
      try {
        await expectAccessible(page, `member app ${tab} (${language})`);
      } catch (error) {
        findings.push((error as Error).message);
      }
    }
  }
  expect(findings).toEqual([]);
}, 300_000);
