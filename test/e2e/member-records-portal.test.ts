import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { formatPhone } from '../../api/client/format.ts';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { codesSentTo, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  // Demo mode so the outbox shows one-time codes (the way a tester reads them).
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
const apiGet = async (path: string) => (await owner.get(path)).json();
const e164 = (national: string) => `+62${national.slice(1)}`;

it('an owner edits a member’s tags and consent, changes the phone with a code, and merges a duplicate; a cashier cannot merge', async () => {
  const id = Date.now().toString(36);
  await apiPost('/api/v1/signup', { retailerName: `Toko Rekam ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `rekam-${id}` });
  const store = await apiPost('/api/v1/stores', { code: 'KMG', name: 'Toko Kemang' });
  await apiPost('/api/v1/staff', { email: `kasir-${id}@e2e.kartu`, name: 'Mas Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const ani = await apiPost('/api/v1/members', { name: 'Ani Pratiwi', phone: newPhone() });
  const dewi = await apiPost('/api/v1/members', { name: 'Dewi Lestari', phone: newPhone(), email: `dewi-${id}@contoh.id`, referralCode: ani.referralCode });
  const duplicate = await apiPost('/api/v1/members', { name: 'Dewi Lestari Lama', phone: newPhone() });
  await apiPost(
    '/api/v1/transactions',
    { memberId: duplicate.id, storeId: store.id, receiptNo: `R-${id}`, items: [{ sku: 'KOPI', quantity: 2, unitPrice: 3_500_000 }] },
    { 'Idempotency-Key': randomUUID() },
  );

  const page = await signInPortal(browser, server.url, `owner-${id}@e2e.kartu`);
  await page.goto(`${server.url}/portal/members/${dewi.id}`);
  await expect.poll(() => page.getByTestId('member-source').textContent()).toContain('Referral');
  expect(await page.getByTestId('member-referral-code').textContent()).toBe(dewi.referralCode);
  expect(await page.getByTestId('member-phone-verified').textContent()).toBe('Not verified');
  expect(await page.getByTestId('member-consent').textContent()).toBe('No promotions');

  // The secondary panels load as they come into view.
  const stages = page.getByTestId('member-stages');
  await stages.scrollIntoViewIfNeeded();
  await expect.poll(() => stages.getByTestId('stage-current').textContent()).toBe('Prospect');
  const referrals = page.getByTestId('member-referrals');
  await expect.poll(() => referrals.getByTestId('referred-by').textContent()).toContain('Ani Pratiwi');
  expect(await referrals.getByTestId('referred-by').textContent()).toContain('Waiting');

  // Details: a tag the API would refuse is caught at the field; then tags, consent and birth date are saved.
  await page.getByTestId('edit-member').click();
  await page.getByTestId('edit-tags').fill('vip, kopi!');
  await page.getByTestId('edit-save').click();
  await expect.poll(() => page.locator('#edit-tags-error').textContent()).toContain('Tag “kopi!”');
  await page.getByTestId('edit-tags').fill('vip, kopi lover');
  await page.getByTestId('edit-consent').check();
  await page.getByTestId('edit-birth-date').fill('1990-07-15');
  await page.getByTestId('edit-save').click();
  await expect.poll(() => page.getByTestId('record-notice').textContent()).toBe('Details saved.');
  expect(await page.getByTestId('member-tags').locator('li').allTextContents()).toEqual(['kopi lover', 'vip']);
  expect(await page.getByTestId('member-consent').textContent()).toBe('Agreed to promotions');
  expect(await apiGet(`/api/v1/members/${dewi.id}`)).toMatchObject({ tags: ['kopi lover', 'vip'], marketingOptIn: true, birthDate: '1990-07-15', email: `dewi-${id}@contoh.id` });

  // The phone changes only with the code sent to the new number.
  const nextPhone = newPhone();
  await page.getByTestId('change-phone').click();
  await page.getByTestId('new-phone').fill(nextPhone);
  await page.getByTestId('send-phone-code').click();
  await expect.poll(() => page.getByTestId('phone-code-sent').textContent()).toContain(nextPhone);
  await expect.poll(async () => (await codesSentTo((path) => owner.get(path), nextPhone)).length).toBe(1);
  const [code] = await codesSentTo((path) => owner.get(path), nextPhone);
  await page.getByTestId('phone-code').fill(code === '000000' ? '111111' : '000000');
  await page.getByTestId('verify-phone-code').click();
  await expect.poll(() => page.locator('#phone-code-error').count()).toBe(1);
  // Said at once and the field focused, to type the right code.
  expect(await page.locator('#phone-code-error').getAttribute('role')).toBe('alert');
  expect(await page.locator(':focus').getAttribute('id')).toBe('phone-code');
  expect((await apiGet(`/api/v1/members/${dewi.id}`)).phone).toBe(dewi.phone);
  await page.getByTestId('phone-code').fill(code);
  await page.getByTestId('verify-phone-code').click();
  await expect.poll(() => page.getByTestId('record-notice').textContent()).toBe(`Phone number changed to ${formatPhone(e164(nextPhone))}.`);
  expect(await page.getByTestId('member-phone').textContent()).toBe(formatPhone(e164(nextPhone)));
  expect(await page.getByTestId('member-phone-verified').textContent()).toBe('Verified with a code');
  expect(await apiGet(`/api/v1/members/${dewi.id}`)).toMatchObject({ phone: e164(nextPhone), phoneVerified: true });

  // Merge: find the duplicate, compare side by side, read the warning, confirm.
  await page.getByTestId('merge-open').click();
  await page.getByTestId('merge-search').fill('Lestari');
  await page.getByTestId('merge-search').press('Enter');
  const results = page.getByTestId('merge-results');
  await expect.poll(() => results.locator('li').count()).toBe(1);
  // Not this one after all: the focus goes back to the candidate, to pick it (or another) again.
  await results.getByRole('button', { name: 'Compare Dewi Lestari Lama' }).click();
  await page.getByTestId('merge-cancel').click();
  expect(await page.getByTestId('merge-compare').count()).toBe(0);
  expect(await page.locator(':focus').textContent()).toBe('Compare Dewi Lestari Lama');
  await results.getByRole('button', { name: 'Compare Dewi Lestari Lama' }).click();
  const compare = page.getByTestId('merge-compare');
  expect(await compare.locator('thead').textContent()).toContain('Stays: Dewi Lestari');
  expect(await compare.locator('thead').textContent()).toContain('Merged away: Dewi Lestari Lama');
  expect(await compare.textContent()).toContain(duplicate.phone);
  expect(await page.getByTestId('merge-warning').textContent()).toContain('This cannot be undone.');
  await expectAccessible(page, 'member page, merge comparison');
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await page.getByTestId('merge-submit').click();
  await expect.poll(() => page.getByTestId('merge-result').textContent()).toContain('Dewi Lestari Lama was merged into this member.');
  expect(asked).toBe('Merge Dewi Lestari Lama into Dewi Lestari? This cannot be undone.');
  expect(await page.getByTestId('merge-result').textContent()).toContain('Sales: 1');
  // The merge button is gone: the focus is on what happened.
  expect(await page.locator(':focus').textContent()).toBe('Dewi Lestari Lama was merged into this member.');

  expect(await apiGet(`/api/v1/members/${duplicate.id}`)).toMatchObject({ status: 'merged', mergedInto: dewi.id });
  const sales = await apiGet(`/api/v1/transactions?memberId=${dewi.id}`);
  expect(sales.items.map((sale: { receiptNo: string }) => sale.receiptNo)).toContain(`R-${id}`);
  const audit = await apiGet(`/api/v1/audit?targetId=${dewi.id}`);
  expect(audit.items.map((entry: { action: string }) => entry.action)).toEqual(expect.arrayContaining(['member.updated', 'member.phone_changed', 'member.merged']));
  // The sale now counts for the member: the stage panel (loaded again after the merge) shows it.
  await expect.poll(() => stages.getByTestId('stage-current').textContent()).not.toBe('Prospect');

  // The duplicate's page says where it went and links there.
  await page.goto(`${server.url}/portal/members/${duplicate.id}`);
  await expect.poll(() => page.getByTestId('merged-into').textContent()).toContain('This member was merged into Dewi Lestari');
  expect(await page.getByTestId('member-status').textContent()).toBe('Merged');
  expect(await page.getByTestId('edit-member').count()).toBe(0);
  expect(await page.getByTestId('merge-panel').count()).toBe(0);
  await expectAccessible(page, 'merged member page');
  await page.getByTestId('merged-into-link').click();
  await page.waitForURL(new RegExp(`/portal/members/${dewi.id}$`));
  await page.context().close();

  // A cashier may edit details but not merge.
  const till = await signInPortal(browser, server.url, `kasir-${id}@e2e.kartu`, { width: 360, height: 800 });
  await till.goto(`${server.url}/portal/members/${ani.id}`);
  await till.getByTestId('edit-member').waitFor();
  expect(await till.getByTestId('merge-panel').count()).toBe(0);
  // Not only hidden: the API refuses a cashier's merge.
  const other = await apiPost('/api/v1/members', { name: 'Ani Ganda', phone: newPhone() });
  const refused = await till.context().request.post(`${server.url}/api/v1/members/${ani.id}/merge`, {
    data: { duplicateId: other.id },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  expect(refused.status()).toBe(403);
  expect(await apiGet(`/api/v1/members/${other.id}`)).toMatchObject({ status: 'active' });
  await till.context().close();
});
