import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { newTill } from '../support/till.ts';

// The till's camera is released whenever the till is out of sight — another tab or app in front,
// the page frozen by the browser — so its light goes out and other apps can have it; it starts
// again only when the cashier taps, never by itself.

let server: RunningServer;
let browser: Browser;
let owner: APIRequestContext;

beforeAll(async () => {
  server = await startServer({ KARTU_DEMO: 'off', KARTU_SIGNUP: 'on' });
  // Chromium's own fake picture: no QR in it, so the camera keeps looking until it is released.
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  owner = await playwrightRequest.newContext({ baseURL: server.url });
});

afterAll(async () => {
  await owner?.dispose();
  await browser?.close();
  await server?.stop();
});

/** Keeps the streams the page gets, to see whether they are stopped. (Page scripts are strings: no DOM types here.) */
const watchCamera = (page: Page) =>
  page.context().addInitScript({
    content: `
      window.cameraStreams = [];
      const media = navigator.mediaDevices;
      const original = media.getUserMedia.bind(media);
      media.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        window.cameraStreams.push(stream);
        return stream;
      };`,
  });
const liveTracks = (page: Page) =>
  page.evaluate<number>(`window.cameraStreams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length`);
const camerasOpened = (page: Page) => page.evaluate<number>('window.cameraStreams.length');
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate(
    hidden
      ? `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }); document.dispatchEvent(new Event('visibilitychange'))`
      : `delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'))`,
  );

it('the camera is switched off when the till goes out of sight (hidden behind another tab or app) and starts again only with a tap', async () => {
  const { page } = await newTill(browser, owner, server.url, { width: 1024, height: 768 });
  await watchCamera(page);
  await page.reload();
  await page.getByTestId('camera-open').click();
  await expect.poll(() => liveTracks(page)).toBe(1);

  // Another tab or app in front hides the till: the camera's light goes out. (Headless Chromium
  // keeps every tab visible, so the page is told it is hidden as the browser would tell it.)
  await setHidden(page, true);
  await expect.poll(() => liveTracks(page)).toBe(0);
  await setHidden(page, false);
  expect(await page.getByTestId('camera-paused').textContent()).toBe('Kamera dimatikan selama kasir tidak tampil di layar.');
  // Back on screen it stays off until the cashier taps.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await camerasOpened(page)).toBe(1);
  expect(await liveTracks(page)).toBe(0);
  await page.getByTestId('camera-resume').click();
  await expect.poll(() => liveTracks(page)).toBe(1);
  expect(await camerasOpened(page)).toBe(2);

  await page.getByTestId('camera-close').click();
  await expect.poll(() => liveTracks(page)).toBe(0);
  await page.context().close();
});
