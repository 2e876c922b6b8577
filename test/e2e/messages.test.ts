import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let gateway: Awaited<ReturnType<typeof startHttpReceiver>>;

beforeAll(async () => {
  // The gateway listens on 127.0.0.1 here, so this server allows private targets (as tests do).
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', KARTU_ALLOW_PRIVATE_TARGETS: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  gateway = await startHttpReceiver();
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
  await gateway?.close();
});

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json();
}

async function signedInPortal(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  await page.getByTestId('staff-name').waitFor();
  return page;
}

it('an owner sets up an SMS gateway with a test message, sends an unconfigured code again from the outbox, and sees a failing attempt with its reason', async () => {
  const id = Date.now().toString(36);
  const email = `owner-${id}@e2e.kartu`;
  const slug = `m-${id}`;
  await apiPost('/api/v1/signup', { retailerName: `Toko Pesan ${id}`, email, password: PASSWORD, slug });
  const phone = `0812${String(Date.now()).slice(-8)}`;
  await apiPost('/api/v1/members', { name: 'Siti Rahayu', phone });
  // Before any transport: the code stays in the outbox, not sent.
  await apiPost('/api/v1/member-auth/otp', { slug, phone });

  const page = await signedInPortal(email);
  await page.goto(`${server.url}/portal/settings/messages`);
  await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
  const sms = page.getByTestId('transport-sms');
  await expect.poll(() => page.getByTestId('sms-state').textContent()).toContain('Not set up');
  await sms.getByLabel('Gateway URL').fill(`${gateway.url}/sms`);
  await sms.getByLabel('Header name').fill('Authorization');
  await sms.getByLabel('Value').fill('Bearer e2e-secret-token');
  await sms.getByLabel('Request body').fill('{"to":"{{to}}","text":"{{text}}"}');
  await page.getByTestId('sms-save').click();
  await expect.poll(() => page.getByTestId('sms-done').textContent()).toBe('SMS saved.');
  expect(await page.getByTestId('sms-state').textContent()).toContain('Set up');
  // The token is not shown back.
  expect(await sms.getByLabel('Value').inputValue()).toBe('');
  expect(await page.content()).not.toContain('e2e-secret-token');
  await expectAccessible(page, 'message settings');

  await page.getByTestId('sms-test-to').fill('0812 0000 1111');
  await page.getByTestId('sms-test').click();
  await expect.poll(() => page.getByTestId('sms-test-result').textContent()).toBe('The test message was accepted.');
  expect(gateway.requests).toHaveLength(1);
  expect(gateway.requests[0]!.headers.authorization).toBe('Bearer e2e-secret-token');
  expect(JSON.parse(gateway.requests[0]!.body).to).toBe('+6281200001111');

  // The outbox: the code queued before the gateway existed, sent again with one click.
  await page.goto(`${server.url}/portal/outbox`);
  const row = page.getByTestId('outbox-row').first();
  await expect.poll(() => row.getAttribute('data-status')).toBe('unconfigured');
  await expectAccessible(page, 'outbox');
  await row.getByTestId('outbox-retry').click();
  await expect.poll(() => row.getAttribute('data-status')).toBe('pending');
  const firstStatus = async () => {
    await page.reload();
    await page.getByTestId('outbox-row').first().waitFor();
    return page.getByTestId('outbox-row').first().getAttribute('data-status');
  };
  await expect.poll(firstStatus, { timeout: 15_000 }).toBe('sent');
  expect(await page.getByTestId('outbox-attempts').first().textContent()).toBe('1');
  expect(gateway.requests).toHaveLength(2);
  expect(JSON.parse(gateway.requests[1]!.body).to).toBe(`+62${phone.slice(1)}`);

  // A gateway that refuses: the attempt, its reason and the next try are shown.
  gateway.statuses.push(503, 503);
  await apiPost('/api/v1/member-auth/otp', { slug, phone });
  await expect.poll(async () => {
    await firstStatus();
    return page.getByTestId('outbox-row').first().getByTestId('outbox-reason').count();
  }, { timeout: 15_000 }).toBe(1);
  await page.getByTestId('outbox-filter').selectOption('pending');
  await expect.poll(() => page.getByTestId('outbox-row').count()).toBe(1);
  expect(await page.getByTestId('outbox-reason').textContent()).toContain('HTTP 503');
  expect(await page.getByTestId('outbox-attempts').first().textContent()).toBe('1');
  // One-time codes stay masked outside demo mode.
  expect(await page.getByTestId('outbox-row').first().textContent()).toContain('••••••');
});
