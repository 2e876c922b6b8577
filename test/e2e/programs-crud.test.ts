import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Each program a marketer sets up, made, changed and ended (deleted, paused, archived or disabled)
// through its screens in one browser page, each step checked through the API and its audit log.
// Offers (and a mined suggestion made into one) have theirs in offers.test.ts.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let page: Page;

const slow = { timeout: 10_000 };

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Program ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `program-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
});

afterAll(async () => {
  await page?.context().close();
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** The audit log's actions on one thing, oldest first. */
async function auditTrail(targetId: string): Promise<string[]> {
  const { items } = await apiGet(`/api/v1/audit?targetId=${targetId}`);
  return items.map((entry: { action: string }) => entry.action).reverse();
}

/** Answers the next confirm dialog and resolves to its message. */
function confirmNext(accept: boolean): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (dialog) => {
      resolve(dialog.message());
      void (accept ? dialog.accept() : dialog.dismiss());
    });
  });
}

/** Clicks a button that asks first, answering the question; resolves to the question. */
async function clickAndConfirm(button: ReturnType<Page['getByRole']>, accept = true) {
  const asked = confirmNext(accept);
  await button.click();
  return asked;
}

describe('tiers', () => {
  it('adds a tier, changes it, and deletes it after a confirmation', async () => {
    await openFromMenu(page, 'Programs', 'Tiers');
    await page.getByTestId('add-tier').click();
    await page.getByTestId('tier-name').fill('Gold');
    await page.getByTestId('tier-code').fill('gold');
    await page.getByTestId('tier-min').fill('1.000.000');
    await page.locator('#tier-multiplier').fill('1.5');
    await page.getByTestId('tier-save').click();
    await page.getByTestId('tier-gold').getByRole('heading', { name: 'Gold' }).waitFor(slow);
    const created = (await apiGet('/api/v1/tiers')).items.find((tier: { code: string }) => tier.code === 'gold');
    expect(created).toEqual({ id: created.id, code: 'gold', name: 'Gold', rank: 1, minQualifying: 100_000_000, earnMultiplier: 1.5, freeShipping: false });

    await page.getByRole('button', { name: 'Edit Gold' }).click();
    await page.getByTestId('tier-name').fill('Emas');
    await page.getByLabel('Free shipping').check();
    await page.getByTestId('tier-save').click();
    await page.getByTestId('tier-gold').getByRole('heading', { name: 'Emas' }).waitFor(slow);
    expect((await apiGet('/api/v1/tiers')).items[1]).toEqual({ ...created, name: 'Emas', freeShipping: true });

    // Answering no leaves it; yes deletes it.
    expect(await clickAndConfirm(page.getByRole('button', { name: 'Delete Emas' }), false)).toBe('Delete the tier Emas? This cannot be undone.');
    expect((await apiGet('/api/v1/tiers')).items).toHaveLength(2);
    await clickAndConfirm(page.getByRole('button', { name: 'Delete Emas' }));
    await expect.poll(() => page.getByTestId('tier-gold').count(), slow).toBe(0);
    expect((await apiGet('/api/v1/tiers')).items.map((tier: { code: string }) => tier.code)).toEqual(['member']);
    expect(await auditTrail(created.id)).toEqual(['tier.created', 'tier.updated', 'tier.deleted']);

    // The last tier stays, and the screen says why.
    await clickAndConfirm(page.getByRole('button', { name: 'Delete Member' }));
    await expect.poll(() => page.getByRole('alert').textContent(), slow).toContain('Member cannot be deleted while members hold it');
    expect((await apiGet('/api/v1/tiers')).items).toHaveLength(1);
  });
});

describe('earning rules', () => {
  it('creates a bonus rule, changes its points, and pauses it', async () => {
    await openFromMenu(page, 'Programs', 'Earning rules');
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-name').fill('Bonus akhir pekan');
    await page.getByTestId('rule-type-bonus').check();
    await page.getByTestId('rule-bonus').fill('25');
    await page.getByTestId('rule-save').click();
    await page.getByTestId('rules-table').getByRole('link', { name: 'Bonus akhir pekan' }).waitFor(slow);
    // The new retailer's base rule is there already.
    const created = (await apiGet('/api/v1/earning-rules')).items.find((rule: { name: string }) => rule.name === 'Bonus akhir pekan');
    expect(created).toMatchObject({ name: 'Bonus akhir pekan', status: 'active', priority: 0, exclusivityGroup: null, effect: { type: 'bonus', points: 25, per: 'transaction' } });

    await page.getByTestId('rules-table').getByRole('link', { name: 'Bonus akhir pekan' }).click();
    await page.getByTestId('rule-bonus').fill('40');
    await page.getByTestId('rule-save').click();
    await page.waitForURL(/\/programs\/earning-rules$/, slow);
    await expect.poll(async () => (await apiGet(`/api/v1/earning-rules/${created.id}`)).effect, slow).toEqual({ type: 'bonus', points: 40, per: 'transaction' });

    // Pausing is undone with one click (Resume), so it asks nothing.
    await page.getByRole('button', { name: 'Pause Bonus akhir pekan' }).click();
    await page.getByRole('button', { name: 'Resume Bonus akhir pekan' }).waitFor(slow);
    expect(await apiGet(`/api/v1/earning-rules/${created.id}`)).toMatchObject({ status: 'paused', effect: { points: 40 } });
    expect(await auditTrail(created.id)).toEqual(['earning_rule.created', 'earning_rule.updated', 'earning_rule.updated']);
  });
});

describe('rewards', () => {
  it('adds a reward, changes its price, and archives it after a confirmation', async () => {
    await openFromMenu(page, 'Programs', 'Rewards');
    await page.getByTestId('new-reward').click();
    await page.getByTestId('reward-name').fill('Voucher Rp 15.000');
    await page.getByTestId('reward-points').fill('300');
    await page.getByTestId('reward-amount').fill('15.000');
    await page.getByTestId('reward-save').click();
    const link = page.getByTestId('rewards-table').getByRole('link', { name: 'Voucher Rp 15.000' });
    await link.waitFor(slow);
    const [created] = (await apiGet('/api/v1/rewards')).items;
    expect(created).toMatchObject({
      name: 'Voucher Rp 15.000', pointsCost: 300, stock: null, perMemberLimit: null, tiers: null, fulfilment: 'voucher', status: 'active',
      voucher: { kind: 'amount', value: 1_500_000, validDays: 30 },
    });

    await link.click();
    await page.getByTestId('reward-points').fill('450');
    await page.getByTestId('reward-save').click();
    await page.waitForURL(/\/programs\/rewards$/, slow);
    expect(await apiGet(`/api/v1/rewards/${created.id}`)).toMatchObject({ pointsCost: 450, voucher: created.voucher });

    expect(await clickAndConfirm(page.getByRole('button', { name: 'Archive Voucher Rp 15.000' }))).toContain('Voucher Rp 15.000');
    await expect.poll(() => link.count(), slow).toBe(0);
    expect((await apiGet(`/api/v1/rewards/${created.id}`)).status).toBe('archived');
    expect(await auditTrail(created.id)).toEqual(['reward.created', 'reward.updated', 'reward.archived']);
  });
});

describe('voucher batches', () => {
  it('generates codes, renames the batch and moves its expiry, and disables it after a confirmation', async () => {
    const year = new Date().getFullYear() + 1;
    await openFromMenu(page, 'Programs', 'Vouchers');
    await page.getByTestId('new-batch').click();
    await page.getByTestId('batch-name').fill('Flyer December');
    await page.getByTestId('batch-count').fill('3');
    await page.getByTestId('batch-amount').fill('10.000');
    await page.getByTestId('batch-expires').fill(`${year}-06-30T23:59`);
    await page.getByTestId('batch-generate').click();
    await expect.poll(() => page.getByTestId('batch-issued').textContent(), slow).toBe('3');
    const batchId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await apiGet(`/api/v1/vouchers/batches/${batchId}`)).toMatchObject({
      name: 'Flyer December', origin: 'batch', kind: 'amount', value: 1_000_000, minSpend: 0, usesPerCode: 1, count: 3, issued: 3, used: 0,
      status: 'active', expiresAt: `${year}-06-30T16:59:59.999Z`,
    });

    await page.getByTestId('batch-edit').click();
    await page.getByTestId('batch-edit-name').fill('Flyer January');
    await page.getByTestId('batch-edit-expires').fill(`${year}-07-31T23:59`);
    await page.getByTestId('batch-edit-save').click();
    await page.getByRole('heading', { name: 'Flyer January' }).waitFor(slow);
    expect(await apiGet(`/api/v1/vouchers/batches/${batchId}`)).toMatchObject({ name: 'Flyer January', expiresAt: `${year}-07-31T16:59:59.999Z`, count: 3 });

    expect(await clickAndConfirm(page.getByTestId('batch-disable'))).toContain('Disable every code of this batch?');
    await expect.poll(() => page.getByTestId('batch-status').textContent(), slow).toBe('Disabled');
    expect((await apiGet(`/api/v1/vouchers/batches/${batchId}`)).status).toBe('disabled');
    expect(await auditTrail(batchId)).toEqual(['voucher_batch.created', 'voucher_batch.updated', 'voucher_batch.disabled']);

    // The list finds it by its name and its status, asking the API (the list is paged there).
    await apiPost('/api/v1/vouchers/batches', { name: 'Brosur Toko Baru', count: 1, kind: 'amount', value: 500_000, expiresAt: `${year}-12-31T16:59:59Z` });
    await page.getByRole('link', { name: '← Vouchers' }).click();
    const table = page.getByTestId('batches-table');
    await expect.poll(() => table.locator('tbody tr').count(), slow).toBe(2);
    const asked = page.waitForRequest((req) => new URL(req.url()).searchParams.get('query') === 'JANUARY');
    await page.getByTestId('batch-search').fill('JANUARY');
    await page.getByTestId('batch-search-submit').click();
    await asked;
    await expect.poll(() => table.locator('tbody tr').count(), slow).toBe(1);
    await table.getByRole('link', { name: 'Flyer January', exact: true }).waitFor(slow);
    await page.getByTestId('batch-search').fill('');
    await page.locator('#batch-filter').selectOption('active');
    await expect.poll(() => table.locator('tbody tr').allTextContents(), slow).toEqual([expect.stringContaining('Brosur Toko Baru')]);
    await page.getByTestId('batch-search').fill('January');
    await page.getByTestId('batch-search-submit').click();
    await page.getByText('No batches match.').waitFor(slow);
  });
});

describe('promotions', () => {
  it('creates a promotion, moves its end, and archives it after a confirmation', async () => {
    await openFromMenu(page, 'Programs', 'Promotions');
    await page.getByTestId('new-promotion').click();
    await page.getByTestId('promo-name').fill('Gratis ongkir Lebaran');
    await page.getByTestId('promo-starts').fill('2031-03-01T00:00');
    await page.getByTestId('promo-ends').fill('2031-03-31T23:59');
    await page.getByTestId('promo-save').click();
    const link = page.getByTestId('promotions-table').getByRole('link', { name: 'Gratis ongkir Lebaran' });
    await link.waitFor(slow);
    const [created] = (await apiGet('/api/v1/promotions')).items;
    expect(created).toMatchObject({
      name: 'Gratis ongkir Lebaran', status: 'active', priority: 0, startsAt: '2031-02-28T17:00:00.000Z', endsAt: '2031-03-31T16:59:59.999Z',
      conditions: {}, effect: { type: 'free_shipping' },
    });

    await link.click();
    await page.getByTestId('promo-ends').fill('2031-04-15T23:59');
    await page.getByTestId('promo-save').click();
    await page.waitForURL(/\/programs\/promotions$/, slow);
    expect(await apiGet(`/api/v1/promotions/${created.id}`)).toMatchObject({ startsAt: created.startsAt, endsAt: '2031-04-15T16:59:59.999Z' });

    expect(await clickAndConfirm(page.getByRole('button', { name: 'Archive Gratis ongkir Lebaran' }))).toContain('Archive “Gratis ongkir Lebaran”?');
    await page.getByRole('button', { name: 'Archive Gratis ongkir Lebaran' }).waitFor({ state: 'detached', ...slow });
    expect((await apiGet(`/api/v1/promotions/${created.id}`)).status).toBe('archived');
    expect(await auditTrail(created.id)).toEqual(['promotion.created', 'promotion.updated', 'promotion.archived']);
  });
});
