import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { rgbaPng } from '../support/images.ts';
import { signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Settings screens an owner changes and undoes — points, branding (seen by the member app) and the
// email transport of Settings › Messages — each change checked through the API and the audit log.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
const id = Date.now().toString(36);
const ownerEmail = `owner-${id}@e2e.kartu`;
const slug = `atur-${id}`;

beforeAll(async () => {
  // The SMTP host is 127.0.0.1: this server allows private targets (as tests do).
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', KARTU_ALLOW_PRIVATE_TARGETS: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const signup = await owner.post('/api/v1/signup', { data: { retailerName: `Toko Atur ${id}`, email: ownerEmail, password: PASSWORD, slug } });
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

/** The audit entries of one action, oldest first. */
async function audited(action: string): Promise<{ actor: { id: string }; details: Record<string, unknown> }[]> {
  return (await apiGet(`/api/v1/audit?action=${encodeURIComponent(action)}`)).items.reverse();
}

/** Answers the next dialog, which must be a confirm() asking what the pattern says. */
function answerConfirm(page: Page, pattern: RegExp, accept: boolean) {
  page.once('dialog', (dialog) => {
    expect(dialog.type()).toBe('confirm');
    expect(dialog.message()).toMatch(pattern);
    void (accept ? dialog.accept() : dialog.dismiss());
  });
}

const status = (page: Page, scope = page.locator('body')) => scope.getByRole('status').filter({ hasNotText: /^$/ }).first().textContent();

it('an owner changes the points policy twice, each change in the API and the audit log', async () => {
  const before = await apiGet('/api/v1/settings/points');
  const me = (await apiGet('/api/v1/auth/me')).staff;
  const page = await signInPortal(browser, server.url, ownerEmail);
  await page.goto(`${server.url}/portal/settings/points`);
  await page.getByTestId('settings-form').waitFor();

  await page.getByTestId('point-value').fill('250');
  await page.getByTestId('expiry-policy-months').check();
  await page.getByTestId('expiry-months').fill('6');
  await page.getByLabel('Days points stay pending').fill('7');
  await page.getByTestId('settings-save').click();
  await expect.poll(() => status(page)).toBe('Settings saved.');
  const first = { ...before, pointValue: 25_000, expiryPolicy: 'months', expiryMonths: 6, returnWindowDays: 7 };
  expect(await apiGet('/api/v1/settings/points')).toEqual(first);

  // Expiry off again: the months stay as they were.
  await page.getByTestId('expiry-policy-never').check();
  await page.getByTestId('settings-save').click();
  await expect.poll(() => apiGet('/api/v1/settings/points')).toEqual({ ...first, expiryPolicy: 'never' });

  const entries = await audited('settings.points.updated');
  expect(entries).toHaveLength(2);
  expect(entries[0].actor.id).toBe(me.id);
  expect(entries[0].details).toMatchObject({ pointValue: 25_000, expiryPolicy: 'months', expiryMonths: 6, returnWindowDays: 7 });
  expect(entries[1].details).toMatchObject({ expiryPolicy: 'never' });
  await page.context().close();
});

it('an owner sets the colours and a logo, which the branding API and the member app show, changes them and removes the logo after a confirm', async () => {
  const page = await signInPortal(browser, server.url, ownerEmail);
  await page.goto(`${server.url}/portal/settings/branding`);
  await page.getByTestId('branding-form').waitFor();

  await page.getByTestId('brand-primary').fill('#1E3A8A');
  await page.getByTestId('brand-text').fill('#FFFFFF');
  await page.getByTestId('brand-save').click();
  await expect.poll(() => status(page, page.getByTestId('branding-form'))).toBe('Colours saved.');
  expect(await apiGet('/api/v1/settings/branding')).toEqual({ primaryColor: '#1e3a8a', textColor: '#ffffff', logoUrl: null, logoUpdatedAt: null });

  const logo = rgbaPng(80, 80, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [30, 58, 138, 255]));
  await page.getByTestId('brand-logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logo });
  await expect.poll(() => page.getByTestId('brand-logo').count()).toBe(1);
  let branding = await apiGet('/api/v1/settings/branding');
  expect(branding).toEqual({ primaryColor: '#1e3a8a', textColor: '#ffffff', logoUrl: expect.stringContaining(`/api/v1/public/tenants/${slug}/logo`), logoUpdatedAt: expect.any(String) });
  expect((await apiGet(`/api/v1/public/tenants/${slug}`)).brand).toEqual({ primaryColor: '#1e3a8a', textColor: '#ffffff', logoUrl: branding.logoUrl });

  // The member app wears the colours and shows the logo (loaded, not broken).
  const app = await (await browser.newContext({ locale: 'en-US' })).newPage();
  const brandOfApp = async () => {
    await app.goto(`${server.url}/app/${slug}/join`);
    await app.locator('header').waitFor();
    const brand = () => app.evaluate(`getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()`) as Promise<string>;
    await expect.poll(brand).not.toBe('');
    return brand();
  };
  expect(await brandOfApp()).toBe('#1e3a8a');
  // A string, run in the page: the test's own types have no DOM.
  await expect.poll(() => app.evaluate(`(() => { const img = document.querySelector('[data-testid="retailer-logo"]'); return img?.complete && img.naturalWidth; })()`)).toBe(80);
  expect(await app.getByTestId('retailer-logo').getAttribute('src')).toBe(branding.logoUrl);

  // An edit of the colour reaches the API and the app.
  await page.getByTestId('brand-primary').fill('#7c2d12');
  await page.getByTestId('brand-save').click();
  await expect.poll(async () => (await apiGet('/api/v1/settings/branding')).primaryColor).toBe('#7c2d12');
  expect(await brandOfApp()).toBe('#7c2d12');

  // Removing the logo asks first; cancelled, nothing changes.
  answerConfirm(page, /^Remove the logo\?/, false);
  await page.getByTestId('brand-logo-remove').click();
  expect((await apiGet('/api/v1/settings/branding')).logoUrl).toBe(branding.logoUrl);
  answerConfirm(page, /^Remove the logo\?/, true);
  await page.getByTestId('brand-logo-remove').click();
  await expect.poll(() => page.getByTestId('brand-logo').count()).toBe(0);
  branding = await apiGet('/api/v1/settings/branding');
  expect(branding).toEqual({ primaryColor: '#7c2d12', textColor: '#ffffff', logoUrl: null, logoUpdatedAt: null });
  await brandOfApp();
  expect(await app.getByTestId('retailer-logo').count()).toBe(0);
  await app.context().close();

  const updates = await audited('settings.branding.updated');
  expect(updates.map((e) => e.details)).toEqual([
    expect.objectContaining({ primaryColor: '#1e3a8a' }),
    { primaryColor: '#7c2d12' },
  ]);
  expect(await audited('settings.branding.logo_uploaded')).toHaveLength(1);
  expect(await audited('settings.branding.logo_removed')).toHaveLength(1);

  // The audit log names the change in words, in both languages.
  await page.goto(`${server.url}/portal/settings/audit`);
  await page.getByTestId('audit-action').selectOption('settings.branding.logo_removed');
  await page.getByTestId('audit-apply').click();
  await expect.poll(() => page.getByTestId('audit-row').count()).toBe(1);
  expect(await page.getByTestId('audit-description').textContent()).toContain('Logo removed');
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await expect.poll(() => page.getByTestId('audit-description').textContent()).toContain('Logo dihapus');
  await page.context().close();
});

it('an owner sets up, edits, reorders and removes (after a confirm) the email transport in Settings › Messages', async () => {
  const page = await signInPortal(browser, server.url, ownerEmail);
  await page.goto(`${server.url}/portal/settings/messages`);
  const email = page.getByTestId('transport-email');
  await expect.poll(() => page.getByTestId('email-state').textContent()).toContain('Not set up');

  await email.getByLabel('SMTP host').fill('127.0.0.1');
  await email.getByLabel('Port').fill('2525');
  await email.getByLabel('Security').selectOption('none');
  await email.getByLabel('From').fill('Toko Atur <halo@toko.example>');
  await page.getByTestId('email-save').click();
  await expect.poll(() => page.getByTestId('email-done').textContent()).toBe('Email saved.');
  const smtp = { host: '127.0.0.1', port: 2525, security: 'none', user: null, from: 'Toko Atur <halo@toko.example>', passwordSet: false };
  expect((await apiGet('/api/v1/settings/messages')).transports.email).toMatchObject({ channel: 'email', kind: 'smtp', smtp, http: null });

  // An edit: a user and a password, which is never shown back.
  await email.getByLabel('Port').fill('2526');
  await email.getByLabel('User name').fill('kasir');
  await email.getByLabel('Password').fill('sandi-rahasia-smtp');
  await page.getByTestId('email-save').click();
  await expect.poll(async () => (await apiGet('/api/v1/settings/messages')).transports.email.smtp).toEqual({ ...smtp, port: 2526, user: 'kasir', passwordSet: true });
  expect(await email.getByLabel('Password').inputValue()).toBe('');

  // Email first in the order members are written in.
  const before = (await apiGet('/api/v1/settings/messages')).channels as string[];
  const at = before.indexOf('email');
  for (let i = 0; i < at; i++) await page.getByRole('button', { name: 'Move Email up' }).click();
  await page.getByTestId('order-save').click();
  await expect.poll(async () => (await apiGet('/api/v1/settings/messages')).channels).toEqual(['email', ...before.filter((c) => c !== 'email')]);

  answerConfirm(page, /^Remove the Email transport\?/, true);
  await page.getByTestId('email-remove').click();
  await expect.poll(() => page.getByTestId('email-done').textContent()).toBe('Email removed.');
  expect((await apiGet('/api/v1/settings/messages')).transports.email).toBeNull();
  expect(await page.getByTestId('email-state').textContent()).toContain('Not set up');

  const updates = await audited('settings.messages.email.updated');
  expect(updates.map((e) => e.details)).toEqual([
    expect.objectContaining({ kind: 'smtp', host: '127.0.0.1', port: 2525 }),
    expect.objectContaining({ kind: 'smtp', port: 2526, user: 'kasir' }),
  ]);
  expect(JSON.stringify(updates)).not.toContain('sandi-rahasia-smtp');
  expect((await audited('settings.messages.channels.updated'))[0].details).toEqual({ channels: ['email', ...before.filter((c) => c !== 'email')] });
  expect(await audited('settings.messages.email.removed')).toHaveLength(1);
  await page.context().close();
});
