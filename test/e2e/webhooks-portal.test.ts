import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;
let receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
const id = Date.now().toString(36);
const ownerEmail = `owner-${id}@e2e.kartu`;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  // The receiver is on this machine: a loopback target, allowed as on a shop's own network.
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', KARTU_ALLOW_PRIVATE_TARGETS: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  const signup = await owner.post('/api/v1/signup', { data: { retailerName: `Toko Webhook ${id}`, email: ownerEmail, password: PASSWORD, slug: `wh-${id}` } });
  expect(signup.status(), await signup.text()).toBe(201);
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

async function webhooks() {
  const res = await owner.get('/api/v1/webhooks');
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).items as { id: string; url: string; events: string[]; description: string | null; active: boolean }[];
}

function acceptConfirm(page: Page, pattern: RegExp) {
  page.once('dialog', (dialog) => {
    expect(dialog.type()).toBe('confirm');
    expect(dialog.message()).toMatch(pattern);
    void dialog.accept();
  });
}

it('an owner adds, edits, tests, pauses and deletes a webhook through Settings › Webhooks, and resends a delivery', async () => {
  const url = `${receiver.url}/kartu-${id}`;
  const page = await signInPortal(browser, server.url, ownerEmail);
  await openFromMenu(page, 'Settings', 'Webhooks');
  await page.waitForURL(/\/portal\/settings\/webhooks$/);
  await expectAccessible(page, 'settings: webhooks');

  // Without events the form says so on its field.
  await page.getByTestId('webhook-url').first().fill(url);
  await page.getByTestId('webhook-submit').first().click();
  await expect.poll(() => page.locator('#new-events-error').textContent()).toBe('Choose at least one event.');
  await page.getByTestId('webhook-event-transaction.posted').first().check();
  await page.getByTestId('webhook-event-member.created').first().check();
  await page.getByTestId('webhook-submit').first().click();
  const secret = (await page.getByTestId('webhook-secret-value').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  await expectAccessible(page, 'settings: webhooks with its new secret');
  let [saved] = await webhooks();
  expect(saved).toMatchObject({ url, active: true, description: null });
  expect(saved!.events.sort()).toEqual(['member.created', 'transaction.posted']);
  await page.getByTestId('webhook-secret-dismiss').click();

  const row = page.locator(`[data-testid="webhook-row"][data-url="${url}"]`);
  await row.getByTestId('webhook-edit').click();
  // The creation's "saved" notice goes when editing starts, so the next one is the edit's.
  expect(await page.getByTestId('webhooks-notice').textContent()).toBe('');
  const edit = page.getByTestId(`edit-${saved!.id}-webhook-form`);
  await edit.getByTestId('webhook-description').fill('Back office');
  await edit.getByTestId('webhook-event-member.created').uncheck();
  await edit.getByTestId('webhook-event-voucher.redeemed').check();
  await edit.getByTestId('webhook-submit').click();
  await expect.poll(() => page.getByTestId('webhooks-notice').textContent()).toBe(`Webhook ${url} saved.`);
  expect(await edit.count()).toBe(0);
  [saved] = await webhooks();
  expect(saved).toMatchObject({ description: 'Back office' });
  expect(saved!.events.sort()).toEqual(['transaction.posted', 'voucher.redeemed']);

  await row.getByTestId('webhook-toggle').click();
  await expect.poll(() => row.getByTestId('webhook-status').textContent()).toBe('Paused');
  expect((await webhooks())[0]!.active).toBe(false);

  // A test reaches the receiver (the job queue delivers it within seconds), also while paused.
  await row.getByTestId('webhook-test').click();
  await expect.poll(() => receiver.requests.filter((r) => r.url === `/kartu-${id}`).length, { timeout: 20_000 }).toBe(1);
  await row.getByTestId('webhook-log').click();
  const log = page.getByTestId('webhook-deliveries');
  await expect.poll(async () => {
    await log.getByTestId('deliveries-refresh').click();
    return log.getByTestId('delivery-row').first().getAttribute('data-status');
  }).toBe('succeeded');
  await expectAccessible(page, 'settings: webhooks with a delivery log');
  await log.getByTestId('delivery-resend').first().click();
  await expect.poll(() => log.getByTestId('deliveries-notice').textContent()).toBe('The delivery is sent again.');
  await expect.poll(() => receiver.requests.filter((r) => r.url === `/kartu-${id}`).length, { timeout: 20_000 }).toBe(2);
  const [first, again] = receiver.requests.filter((r) => r.url === `/kartu-${id}`);
  expect(again!.headers['kartu-webhook-id']).toBe(first!.headers['kartu-webhook-id']);
  expect(JSON.parse(again!.body).type).toBe('ping');

  await row.getByTestId('webhook-toggle').click();
  await expect.poll(() => row.getByTestId('webhook-status').textContent()).toBe('Active');
  expect((await webhooks())[0]!.active).toBe(true);

  acceptConfirm(page, /Delete the webhook to .*kartu-/);
  await row.getByTestId('webhook-delete').click();
  await expect.poll(() => page.getByTestId('webhooks-notice').textContent()).toBe(`Webhook ${url} deleted.`);
  expect(await webhooks()).toEqual([]);
});
