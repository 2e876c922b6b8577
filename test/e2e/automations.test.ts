import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Programs › Automations: a marketer creates an automation with the trigger and action pickers,
// edits it, pauses it, each checked through the API. The server runs with its job queue.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  browser = await launchChromium();
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

const slow = { timeout: 10_000 };

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

async function automations() {
  const res = await owner.get('/api/v1/automations');
  expect(res.status()).toBe(200);
  return (await res.json()).items as { id: string; name: string; status: string; trigger: Record<string, unknown>; points: number | null; message: unknown; voucher: unknown }[];
}

it('a marketer creates, edits and pauses an automation in the portal', async () => {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  await apiPost('/api/v1/signup', { retailerName: `Toko auto ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `auto-${id}` });
  const marketer = `marketer-${id}@e2e.kartu`;
  await apiPost('/api/v1/staff', { email: marketer, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });

  const page = await signInPortal(browser, server.url, marketer);
  await openFromMenu(page, 'Programs', 'Automations');
  await page.waitForURL(/\/portal\/programs\/automations$/);
  await expect.poll(() => page.getByText('No automations yet.', { exact: false }).count(), slow).toBe(1);
  await expectAccessible(page, 'automations list (empty)');

  await page.getByTestId('new-automation').click();
  await page.getByTestId('automation-form').waitFor();
  // Nothing to do is refused at the points field.
  await page.getByTestId('automation-name').fill('Selamat ulang tahun');
  await page.getByTestId('automation-trigger').selectOption('birthday');
  await page.getByTestId('automation-save').click();
  await expect.poll(() => page.locator('#automation-points-error').textContent(), slow).toContain('at least one action');

  await page.getByTestId('automation-points').fill('100');
  await page.getByTestId('automation-send-message').check();
  await page.getByTestId('automation-message-id').fill('Selamat ulang tahun, {{name}}! 100 poin untukmu.');
  await page.getByTestId('automation-message-en').fill('Happy birthday, {{name}}! 100 points for you.');
  await expectAccessible(page, 'automation form');
  await page.getByTestId('automation-save').click();
  await page.waitForURL(/\/portal\/programs\/automations\/[0-9a-f-]{36}$/);
  await expect.poll(() => page.getByTestId('automation-title').textContent(), slow).toBe('Selamat ulang tahun');

  let [made] = await automations();
  expect(made).toMatchObject({
    name: 'Selamat ulang tahun', status: 'active', trigger: { kind: 'birthday' }, points: 100, voucher: null,
    message: { id: 'Selamat ulang tahun, {{name}}! 100 poin untukmu.', en: 'Happy birthday, {{name}}! 100 points for you.' },
  });
  await expectAccessible(page, 'automation page');

  // Edit: a win-back after 45 quiet days, 150 points and a voucher.
  await page.getByTestId('automation-edit').click();
  await page.getByTestId('automation-trigger').selectOption('inactive');
  await page.getByTestId('automation-days').fill('45');
  await page.getByTestId('automation-points').fill('150');
  await page.getByTestId('automation-give-voucher').check();
  await page.getByTestId('automation-voucher-amount').fill('25.000');
  await page.getByTestId('automation-valid-days').fill('14');
  await page.getByTestId('automation-save').click();
  await expect.poll(() => page.getByTestId('automation-notice').textContent(), slow).toContain('is saved');
  [made] = await automations();
  expect(made).toMatchObject({ trigger: { kind: 'inactive', days: 45 }, points: 150, voucher: { kind: 'amount', value: 2_500_000, validDays: 14 } });

  await page.getByTestId('automation-pause').click();
  await expect.poll(() => page.getByTestId('automation-status').textContent(), slow).toBe('Paused');
  [made] = await automations();
  expect(made.status).toBe('paused');

  // The list shows it paused, with a resume button.
  await page.getByRole('link', { name: '← Automations' }).click();
  await expect.poll(() => page.getByTestId('automation-row').count(), slow).toBe(1);
  expect(await page.getByTestId('automation-status').textContent()).toBe('Paused');
  await page.getByTestId('automation-resume').click();
  await expect.poll(async () => (await automations())[0].status, slow).toBe('active');

  // Archiving asks first: cancelled, nothing changes; confirmed, it leaves the list.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByTestId('automation-archive').click();
  await expect.poll(() => asked).toContain('Selamat ulang tahun');
  expect((await automations())[0].status).toBe('active');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('automation-archive').click();
  await expect.poll(() => page.getByTestId('automation-row').count(), slow).toBe(0);
  expect(await automations()).toEqual([]);
  const archived = await owner.get(`/api/v1/automations/${made.id}`);
  expect((await archived.json()).status).toBe('archived');

  // Every change is in the audit log, by the marketer.
  const marketerId = (await (await owner.get(`/api/v1/staff?query=${encodeURIComponent(marketer)}`)).json()).items[0].id;
  const audit = (await (await owner.get(`/api/v1/audit?targetId=${made.id}`)).json()).items.reverse();
  expect(audit.map((e: { action: string; actor: { id: string } }) => [e.action, e.actor.id])).toEqual(
    ['automation.created', 'automation.updated', 'automation.paused', 'automation.active', 'automation.archived'].map((action) => [action, marketerId]),
  );

  // The frequency cap across automations.
  await expect.poll(() => page.getByTestId('cap-messages').inputValue(), slow).toBe('3');
  await page.getByTestId('cap-messages').fill('2');
  await page.getByTestId('cap-days').fill('14');
  await page.getByTestId('cap-save').click();
  await expect.poll(() => page.getByTestId('cap-notice').textContent(), slow).toContain('saved');
  expect(await (await owner.get('/api/v1/settings/automations')).json()).toEqual({ messageCap: 2, capDays: 14 });
  await expectAccessible(page, 'automations list');
});
