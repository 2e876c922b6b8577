import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expectAccessible } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { writeQrVideo } from '../support/fake-camera.ts';
import { newPhone, PASSWORD } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';

// Scanning at the till: a keyboard-wedge scanner typing into the focused field, and the tablet's
// camera (Chromium's fake camera playing a video of the member's card QR). The camera is asked for
// the rear lens, stops once a code is read or the panel closes, and says in the cashier's language
// why it cannot be used: not allowed, no secure origin.

let server: RunningServer;
let owner: APIRequestContext;
let videos: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  // Demo mode so the outbox shows the member's one-time code (to read the member's card as the app does).
  server = await startServer({ KARTU_DEMO: 'on' });
  owner = await playwrightRequest.newContext({ baseURL: server.url });
  videos = mkdtempSync(join(tmpdir(), 'kartu-camera-'));
});

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await owner?.dispose();
  await server?.stop();
  if (videos) rmSync(videos, { recursive: true, force: true });
});

async function launch(args: string[] = []) {
  const browser = await launchChromium(args);
  browsers.push(browser);
  return browser;
}

const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

async function apiPost(context: APIRequestContext, path: string, data: unknown) {
  const res = await context.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

/** A retailer with a store, its cashier, and a member whose printed card's code is read from the member's own card view. */
async function newTill() {
  const id = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const signup = await apiPost(owner, '/api/v1/signup', { retailerName: `Toko Kamera ${id}`, email: `owner-${id}@cam.kartu`, password: PASSWORD, slug: `cam-${id}` });
  const store = await apiPost(owner, '/api/v1/stores', { code: 'SBY', name: 'Toko Tunjungan' });
  const cashierEmail = `kasir-${id}@cam.kartu`;
  await apiPost(owner, '/api/v1/staff', { email: cashierEmail, name: 'Mbak Kasir', role: 'cashier', password: PASSWORD, storeId: store.id });
  const phone = newPhone();
  const member = await apiPost(owner, '/api/v1/members', { name: 'Dewi Lestari', phone });
  const memberApp = await playwrightRequest.newContext({ baseURL: server.url });
  await apiPost(memberApp, '/api/v1/member-auth/otp', { slug: signup.slug, phone });
  const outbox = await (await owner.get('/api/v1/outbox')).json();
  const sent = outbox.items.find((m: { purpose: string; recipient: string }) => m.purpose === 'otp' && m.recipient === `+62${phone.slice(1)}`);
  await apiPost(memberApp, '/api/v1/member-auth/verify', { slug: signup.slug, phone, code: /\b(\d{6})\b/.exec(sent.body)![1] });
  const card = await (await memberApp.get('/api/v1/me/card')).json();
  await memberApp.dispose();
  expect(card.code).toMatch(/^K1\./);
  return { cashierEmail, member, cardCode: card.code as string };
}

async function openTill(context: BrowserContext, email: string, origin = server.url): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/portal\/till/);
  await page.getByTestId('scan-input').waitFor();
  return page;
}

/** Records what the page asks of the camera and the streams it gets, to see that they are stopped. (Scripts
 * run in the page are strings: this project's TypeScript has no DOM types.) */
function watchCamera(context: BrowserContext) {
  return context.addInitScript({
    content: `
      window.cameraAsked = [];
      window.cameraStreams = [];
      const media = navigator.mediaDevices;
      if (media) {
        const original = media.getUserMedia.bind(media);
        media.getUserMedia = async (constraints) => {
          window.cameraAsked.push(constraints);
          const stream = await original(constraints);
          window.cameraStreams.push(stream);
          return stream;
        };
      }`,
  });
}

const liveTracks = (page: Page) =>
  page.evaluate<number>(`window.cameraStreams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length`);
const camerasOpened = (page: Page) => page.evaluate<number>('window.cameraStreams.length');

it('a keyboard-wedge scanner types the card’s code and Enter into the scan field, which has the focus as the till opens', async () => {
  const till = await newTill();
  const browser = await launch();
  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1024, height: 768 } });
  const page = await openTill(context, till.cashierEmail);
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('scan-input');
  // Typed key by key like a scanner does, into whatever has the focus: no click first.
  await page.keyboard.type(till.cardCode);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.getByTestId('member-name').textContent()).toBe('Dewi Lestari');
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('receipt-input');
  expect(await page.getByTestId('scan-input').inputValue()).toBe('');
  await context.close();
});

it('the tablet camera reads the member’s card QR: the rear camera is asked for, the member is recognised and the camera is switched off', async () => {
  const till = await newTill();
  const video = join(videos, 'card.y4m');
  writeQrVideo(video, till.cardCode);
  const browser = await launch([...FAKE_CAMERA, `--use-file-for-fake-video-capture=${video}`]);
  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1024, height: 768 } });
  await watchCamera(context);
  // The decoder is not part of the till's first load: it comes when the camera is opened. (Built
  // chunks are named by hash, so the decoder is known by a message of its own.)
  const decoderLoads: Promise<boolean>[] = [];
  context.on('response', (response) => {
    if (response.url().endsWith('.js')) decoderLoads.push(response.text().then((text) => text.includes('No QR code found'), () => false));
  });
  const decoderLoaded = async () => (await Promise.all(decoderLoads)).some(Boolean);
  const page = await openTill(context, till.cashierEmail);
  await page.waitForLoadState('networkidle');
  expect(decoderLoads.length).toBeGreaterThan(0);
  expect(await decoderLoaded()).toBe(false);

  await page.getByTestId('camera-open').click();
  await expect.poll(() => page.getByTestId('member-name').textContent(), { timeout: 15_000 }).toBe('Dewi Lestari');
  expect(await decoderLoaded()).toBe(true);
  expect(await page.getByTestId('camera-panel').count()).toBe(0);
  expect(await camerasOpened(page)).toBe(1);
  await expect.poll(() => liveTracks(page)).toBe(0);
  const asked = await page.evaluate<{ video: unknown }[]>('window.cameraAsked');
  expect(asked[0].video).toMatchObject({ facingMode: { ideal: 'environment' } });
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('receipt-input');
  await context.close();
});

it('the camera panel stops the camera when closed (button or Esc), offers the torch only where the camera has one, and passes axe', async () => {
  const till = await newTill();
  // Chromium's own fake picture: no QR in it, so the camera keeps looking until the panel is closed.
  const browser = await launch(FAKE_CAMERA);
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 768 } });
  await watchCamera(context);
  const page = await openTill(context, till.cashierEmail);
  await page.getByTestId('camera-open').click();
  await page.getByRole('status').filter({ hasText: 'Hold the member’s QR code' }).waitFor();
  expect(await liveTracks(page)).toBe(1);
  // The fake camera has no torch, so there is no torch button.
  expect(await page.getByTestId('camera-torch').count()).toBe(0);
  await expectAccessible(page, 'till with the camera open');
  await page.getByTestId('camera-close').click();
  await expect.poll(() => liveTracks(page)).toBe(0);
  expect(await page.getByTestId('camera-panel').count()).toBe(0);
  await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('camera-open');

  // Esc closes it too (and not the sale).
  await page.getByTestId('camera-open').click();
  await expect.poll(() => liveTracks(page)).toBe(1);
  await page.keyboard.press('Escape');
  await expect.poll(() => liveTracks(page)).toBe(0);
  expect(await camerasOpened(page)).toBe(2);
  await context.close();

  // A camera whose track reports a torch (as Chrome on Android does for the rear camera) gets the toggle.
  const withTorch = await browser.newContext({ locale: 'id-ID', viewport: { width: 1024, height: 768 } });
  await withTorch.addInitScript({
    content: `
      window.torchSet = [];
      const capabilities = MediaStreamTrack.prototype.getCapabilities;
      MediaStreamTrack.prototype.getCapabilities = function () {
        return { ...capabilities.call(this), torch: true };
      };
      const apply = MediaStreamTrack.prototype.applyConstraints;
      MediaStreamTrack.prototype.applyConstraints = function (constraints) {
        const torch = (constraints?.advanced ?? []).filter((set) => 'torch' in set);
        // Chromium's fake camera refuses a torch it does not have; a real rear camera switches it.
        if (!torch.length) return apply.call(this, constraints);
        for (const set of torch) window.torchSet.push(set.torch);
        return Promise.resolve();
      };`,
  });
  const torchPage = await openTill(withTorch, till.cashierEmail);
  await torchPage.getByTestId('camera-open').click();
  const toggle = torchPage.getByTestId('camera-torch');
  await toggle.waitFor();
  expect(await toggle.textContent()).toBe('Senter');
  expect(await toggle.getAttribute('aria-pressed')).toBe('false');
  await toggle.click();
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
  await toggle.click();
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
  expect(await torchPage.evaluate('window.torchSet')).toEqual([true, false]);
  await withTorch.close();
});

it('says, in the cashier’s language, when the camera is not allowed and when the till is not on a secure origin', async () => {
  const till = await newTill();
  // A camera exists, but the site was not allowed to use it (no fake permission prompt that accepts).
  const browser = await launch(['--use-fake-device-for-media-stream', '--host-resolver-rules=MAP till.test 127.0.0.1']);
  const denied = await browser.newContext({ locale: 'id-ID', viewport: { width: 1024, height: 768 } });
  const page = await openTill(denied, till.cashierEmail);
  await page.getByTestId('camera-open').click();
  const problem = page.getByTestId('camera-problem');
  await expect.poll(() => problem.getAttribute('data-problem')).toBe('denied');
  expect(await problem.textContent()).toContain('Kamera tidak diizinkan');
  expect(await page.getByTestId('camera-retry').count()).toBe(1);
  await expectAccessible(page, 'till, camera not allowed');
  await denied.close();

  // The shop's network name over plain http is not a secure origin: the browser gives no camera at all.
  const insecure = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 768 } });
  const port = new URL(server.url).port;
  const insecurePage = await openTill(insecure, till.cashierEmail, `http://till.test:${port}`);
  expect(await insecurePage.evaluate('window.isSecureContext')).toBe(false);
  await insecurePage.getByTestId('camera-open').click();
  const insecureProblem = insecurePage.getByTestId('camera-problem');
  await expect.poll(() => insecureProblem.getAttribute('data-problem')).toBe('insecure');
  expect(await insecureProblem.textContent()).toContain('secure connection (HTTPS)');
  expect(await insecurePage.getByTestId('camera-retry').count()).toBe(0);
  await insecure.close();
});
