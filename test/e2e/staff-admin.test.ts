import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
const id = Date.now().toString(36);
const ownerEmail = `owner-${id}@e2e.kartu`;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const signup = await owner.post('/api/v1/signup', { data: { retailerName: `Toko Staf ${id}`, email: ownerEmail, password: PASSWORD, slug: `staf-${id}` } });
  expect(signup.status(), await signup.text()).toBe(201);
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

async function apiGet(path: string) {
  const res = await owner.get(path);
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** The details of the audit entries of one action on one target, oldest first. */
async function auditedDetails(action: string, targetId: string) {
  return (await apiGet(`/api/v1/audit?action=${action}&targetId=${targetId}`)).items.reverse().map((e: { details: unknown }) => e.details);
}

/** Accepts the next confirm() and checks what it asked. */
function acceptConfirm(page: Page, pattern: RegExp) {
  page.once('dialog', (dialog) => {
    expect(dialog.type()).toBe('confirm');
    expect(dialog.message()).toMatch(pattern);
    void dialog.accept();
  });
}

async function signInWith(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  return page;
}

it('an owner adds and edits a store through Settings › Stores', async () => {
  const page = await signInPortal(browser, server.url, ownerEmail);
  await openFromMenu(page, 'Settings', 'Stores');
  await page.waitForURL(/\/portal\/settings\/stores$/);
  await expectAccessible(page, 'settings: stores');

  await page.getByTestId('store-new-code').fill('MKS-01');
  await page.getByTestId('store-new-name').fill('Toko Losari');
  await page.getByTestId('store-new-region').fill('Sulawesi Selatan');
  await page.getByTestId('store-new-zone').selectOption('Asia/Makassar');
  await page.getByTestId('store-new-save').click();
  await expect.poll(() => page.getByTestId('stores-notice').textContent()).toBe('Store Toko Losari added.');
  let stores = (await apiGet('/api/v1/stores')).items;
  expect(stores).toEqual([expect.objectContaining({ code: 'MKS-01', name: 'Toko Losari', region: 'Sulawesi Selatan', timeZone: 'Asia/Makassar' })]);

  // A code in use is refused on its field.
  await page.getByTestId('store-new-code').fill('MKS-01');
  await page.getByTestId('store-new-name').fill('Another');
  await page.getByTestId('store-new-save').click();
  await expect.poll(() => page.locator('#store-new-code-error').textContent()).toBe('Already in use.');

  await page.getByTestId('store-edit-MKS-01').click();
  await expect.poll(() => page.getByTestId('store-edit-name').inputValue()).toBe('Toko Losari');
  expect(await page.getByTestId('store-edit-code').count()).toBe(0);
  await page.getByTestId('store-edit-name').fill('Toko Pantai Losari');
  await page.getByTestId('store-edit-region').fill('');
  await page.getByTestId('store-edit-zone').selectOption('Asia/Jayapura');
  await expectAccessible(page, 'settings: stores, editing');
  await page.getByTestId('store-edit-save').click();
  await expect.poll(() => page.getByTestId('stores-notice').textContent()).toBe('Store Toko Pantai Losari saved.');
  stores = (await apiGet('/api/v1/stores')).items;
  expect(stores).toEqual([expect.objectContaining({ code: 'MKS-01', name: 'Toko Pantai Losari', region: null, timeZone: 'Asia/Jayapura' })]);
  expect(await auditedDetails('store.created', stores[0].id)).toEqual([{ code: 'MKS-01', name: 'Toko Losari', region: 'Sulawesi Selatan', timeZone: 'Asia/Makassar' }]);
  expect(await auditedDetails('store.updated', stores[0].id)).toEqual([{
    code: 'MKS-01',
    changes: { name: { from: 'Toko Losari', to: 'Toko Pantai Losari' }, region: { from: 'Sulawesi Selatan', to: null }, timeZone: { from: 'Asia/Makassar', to: 'Asia/Jayapura' } },
  }]);

  // Deactivating asks first; the only active store cannot go, with a second one it can, and comes back.
  acceptConfirm(page, /^Deactivate store Toko Pantai Losari\?/);
  await page.getByTestId('store-deactivate-MKS-01').click();
  await expect.poll(() => page.getByTestId('stores-error').textContent()).toBe('At least one store must stay active.');
  await page.getByTestId('store-new-code').fill('MKS-02');
  await page.getByTestId('store-new-name').fill('Toko Panakkukang');
  await page.getByTestId('store-new-save').click();
  await expect.poll(() => page.getByTestId('stores-notice').textContent()).toBe('Store Toko Panakkukang added.');
  acceptConfirm(page, /^Deactivate store Toko Pantai Losari\?/);
  await page.getByTestId('store-deactivate-MKS-01').click();
  await expect.poll(() => page.getByTestId('stores-notice').textContent()).toBe('Store Toko Pantai Losari is deactivated.');
  await expect.poll(() => page.getByTestId('store-inactive-MKS-01').textContent()).toBe('Inactive');
  expect((await apiGet(`/api/v1/stores?active=false`)).items.map((s: { code: string }) => s.code)).toEqual(['MKS-01']);
  await expectAccessible(page, 'settings: stores, one inactive');
  await page.getByTestId('store-activate-MKS-01').click();
  await expect.poll(() => page.getByTestId('stores-notice').textContent()).toBe('Store Toko Pantai Losari is active again.');
  await expect.poll(() => page.getByTestId('store-inactive-MKS-01').count()).toBe(0); // the notice can show before the list reloads
  expect((await apiGet('/api/v1/stores?active=true')).items.map((s: { code: string }) => s.code)).toEqual(['MKS-01', 'MKS-02']);
  expect(await auditedDetails('store.deactivated', stores[0].id)).toEqual([{ code: 'MKS-01' }]);
  expect(await auditedDetails('store.activated', stores[0].id)).toEqual([{ code: 'MKS-01' }]);
  await page.context().close();
});

it('an owner invites, edits, resets, signs out and deactivates a staff member, who then cannot sign in', async () => {
  const store = (await (await owner.post('/api/v1/stores', { data: { code: 'JKT-01', name: 'Toko Menteng' } })).json()) as { id: string };
  const email = `sari-${id}@e2e.kartu`;
  const page = await signInPortal(browser, server.url, ownerEmail);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await openFromMenu(page, 'Settings', 'Staff');
  await page.waitForURL(/\/portal\/settings\/staff$/);
  await expect.poll(() => page.getByTestId(`staff-row-${ownerEmail}`).count()).toBe(1);
  await expectAccessible(page, 'settings: staff');

  await page.getByTestId('invite-email').fill(email);
  await page.getByTestId('invite-name').fill('Sari');
  await page.getByTestId('invite-role').selectOption('cashier');
  await page.getByTestId('invite-store').selectOption(store.id);
  await page.getByTestId('invite-submit').click();
  const temporary = (await page.getByTestId('temporary-password-value').textContent())!;
  // The secret takes the focus: a screen reader announces it, a keyboard user is at its copy button.
  await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('temporary-password-label');
  expect(temporary).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await page.getByTestId('temporary-password-copy').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(temporary);
  await expectAccessible(page, 'settings: staff, temporary password shown');
  let [sari] = (await apiGet(`/api/v1/staff?query=${encodeURIComponent(email)}`)).items;
  expect(sari).toMatchObject({ name: 'Sari', role: 'cashier', storeId: store.id, active: true, mustChangePassword: true });

  // The invited cashier must choose a password before anything else.
  const cashierPage = await signInWith(email, temporary);
  await cashierPage.waitForURL(/\/portal\/change-password$/);
  await expectAccessible(cashierPage, 'change password');
  await cashierPage.getByTestId('password-current').fill(temporary);
  await cashierPage.getByTestId('password-new').fill('sari punya sandi');
  await cashierPage.getByTestId('password-repeat').fill('sari punya sandi');
  await cashierPage.getByTestId('password-submit').click();
  await cashierPage.waitForURL(/\/portal\/till$/);
  expect((await apiGet(`/api/v1/staff?query=${encodeURIComponent(email)}`)).items[0].mustChangePassword).toBe(false);

  // Search on the server, then edit role and store.
  await page.getByTestId('staff-search').fill('sari');
  await page.getByTestId('staff-search-submit').click();
  await expect.poll(() => page.getByTestId(`staff-row-${ownerEmail}`).count()).toBe(0);
  const row = page.getByTestId(`staff-row-${email}`);
  await row.getByTestId('staff-edit').click();
  await page.getByTestId('edit-name').fill('Sari Lestari');
  await page.getByTestId('edit-role').selectOption('marketer');
  await page.getByTestId('edit-store').selectOption('');
  await page.getByTestId('edit-save').click();
  await expect.poll(() => page.getByTestId('staff-notice').textContent()).toBe('Sari Lestari saved.');
  [sari] = (await apiGet(`/api/v1/staff?query=${encodeURIComponent(email)}`)).items;
  expect(sari).toMatchObject({ name: 'Sari Lestari', role: 'marketer', storeId: null, active: true });

  // Signed out everywhere: the cashier's page loses its session.
  acceptConfirm(page, /Sign Sari Lestari out on every device/);
  await row.getByTestId('staff-end-sessions').click();
  await expect.poll(() => page.getByTestId('staff-notice').textContent()).toBe('Sari Lestari is signed out. Sessions ended: 1.');
  expect((await cashierPage.request.get(`${server.url}/api/v1/auth/me`)).status()).toBe(401);
  await cashierPage.context().close();

  // A reset shows a new temporary password once.
  acceptConfirm(page, /new temporary password/);
  await row.getByTestId('staff-reset').click();
  await expect.poll(() => page.getByTestId('staff-notice').textContent()).toBe('New temporary password for Sari Lestari.');
  const resetPassword = (await page.getByTestId('temporary-password-value').textContent())!;
  // The secret takes the focus: a screen reader announces it, a keyboard user is at its copy button.
  await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('temporary-password-label');
  expect(resetPassword).not.toBe(temporary);
  const afterReset = await playwrightRequest.newContext({ baseURL: server.url });
  expect((await afterReset.post('/api/v1/auth/login', { data: { email, password: 'sari punya sandi' } })).status()).toBe(401);
  expect((await afterReset.post('/api/v1/auth/login', { data: { email, password: resetPassword } })).status()).toBe(200);

  // Deactivated: signed out at once and refused at the sign-in page.
  acceptConfirm(page, /Deactivate Sari Lestari\?/);
  await row.getByTestId('staff-deactivate').click();
  await expect.poll(() => row.getByTestId('staff-status').textContent()).toBe('Deactivated');
  [sari] = (await apiGet(`/api/v1/staff?query=${encodeURIComponent(email)}`)).items;
  expect(sari.active).toBe(false);
  expect(await auditedDetails('staff.invited', sari.id)).toEqual([{ email, name: 'Sari', role: 'cashier', storeId: store.id }]);
  expect(await auditedDetails('staff.updated', sari.id)).toEqual([expect.objectContaining({ changes: expect.objectContaining({ role: { from: 'cashier', to: 'marketer' } }) })]);
  expect(await auditedDetails('staff.sessions_ended', sari.id)).toEqual([{ name: 'Sari Lestari', sessionsEnded: 1 }]);
  expect(await auditedDetails('staff.password_reset', sari.id)).toHaveLength(1);
  expect(await auditedDetails('staff.deactivated', sari.id)).toEqual([{ name: 'Sari Lestari', sessionsEnded: 1 }]);
  expect((await afterReset.get('/api/v1/auth/me')).status()).toBe(401);
  await afterReset.dispose();
  await expectAccessible(page, 'settings: staff, after deactivation');

  const refused = await signInWith(email, resetPassword);
  await expect.poll(() => refused.getByRole('alert').textContent()).toBe('Wrong email or password.');
  expect(refused.url()).toMatch(/\/portal\/login$/);
  await refused.context().close();

  // The owner's own row offers no deactivation.
  await page.getByTestId('staff-search').fill('');
  await page.getByTestId('staff-search-submit').click();
  await expect.poll(() => page.getByTestId(`staff-row-${ownerEmail}`).count()).toBe(1);
  expect(await page.getByTestId(`staff-row-${ownerEmail}`).getByTestId('staff-deactivate').count()).toBe(0);

  // The audit log tells what happened, in words, and filters.
  await openFromMenu(page, 'Settings', 'Audit log');
  await page.waitForURL(/\/portal\/settings\/audit$/);
  await expect.poll(() => page.getByTestId('audit-row').count()).toBeGreaterThan(5);
  await expectAccessible(page, 'settings: audit log');
  await page.getByTestId('audit-action').selectOption('staff.deactivated');
  await page.getByTestId('audit-apply').click();
  await expect.poll(() => page.getByTestId('audit-row').count()).toBe(1);
  expect(await page.getByTestId('audit-row').textContent()).toContain('Staff member deactivated');
  expect(await page.getByTestId('audit-row').textContent()).toContain('Sari Lestari');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await expect.poll(() => page.getByTestId('audit-description').first().textContent()).toContain('Staf dinonaktifkan');
  await page.context().close();
});

it('an owner creates an API key shown once, copies it, and revokes it', async () => {
  const page = await signInPortal(browser, server.url, ownerEmail);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await openFromMenu(page, 'Settings', 'API keys');
  await page.waitForURL(/\/portal\/settings\/api-keys$/);
  await expectAccessible(page, 'settings: API keys');

  await page.getByTestId('key-name').fill('POS Kasir 1');
  await page.getByTestId('key-scope-read').check();
  await page.getByTestId('key-submit').click();
  const key = (await page.getByTestId('new-api-key-value').textContent())!;
  // The secret takes the focus: a screen reader announces it, a keyboard user is at its copy button.
  await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('new-api-key-label');
  expect(key).toMatch(/^kk_/);
  await page.getByTestId('new-api-key-copy').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(key);
  await expectAccessible(page, 'settings: API keys, new key shown');

  const withKey = await playwrightRequest.newContext({ baseURL: server.url, extraHTTPHeaders: { Authorization: `Bearer ${key}` } });
  expect((await withKey.get('/api/v1/stores')).status()).toBe(200);
  let [listed] = (await apiGet('/api/v1/api-keys')).items;
  expect(listed).toMatchObject({ name: 'POS Kasir 1', scopes: ['pos', 'read'], revokedAt: null, lastUsedAt: expect.any(String) });

  // The list shows it once it is reloaded, and never the secret.
  await page.reload();
  const row = page.getByTestId('api-key-row-POS Kasir 1');
  await row.waitFor();
  expect(await page.content()).not.toContain(key);

  acceptConfirm(page, /Revoke key POS Kasir 1\?/);
  await row.getByTestId('api-key-revoke').click();
  await expect.poll(() => page.getByTestId('api-keys-notice').textContent()).toBe('Key POS Kasir 1 revoked.');
  [listed] = (await apiGet('/api/v1/api-keys')).items;
  expect(listed.revokedAt).toEqual(expect.any(String));
  expect(await auditedDetails('api_key.created', listed.id)).toEqual([{ name: 'POS Kasir 1', scopes: expect.arrayContaining(['pos', 'read']), storeId: null }]);
  expect(await auditedDetails('api_key.revoked', listed.id)).toEqual([{ name: 'POS Kasir 1' }]);
  expect((await withKey.get('/api/v1/stores')).status()).toBe(401);
  await withKey.dispose();
  await page.context().close();
});
