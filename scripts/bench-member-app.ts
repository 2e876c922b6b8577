// `npm run bench:member-app [runs]`: how fast a member's card opens on a cheap phone over patchy data.
// Expects a build (`npm run build`); starts the real server on a fresh retailer and member, signs
// the member in, and opens /app/<slug> in Debian's Chromium (CHROMIUM_PATH overrides) at 360×800
// with a cold cache, throttled through the DevTools protocol like Lighthouse's mobile profile:
// 150 ms latency, 1.6 Mbps down, 750 kbps up, CPU 4× slower. Prints per run the time until the
// card's QR is drawn (goal < 3 s) and the JavaScript the card page loaded (goal ≤ 100 KB gzipped,
// measured by gzipping each script; also the bytes actually sent, which may be Brotli), then the
// median and a pass/miss verdict. It exits 1 only when it could not measure.
import { gzipSync } from 'node:zlib';
import { request as playwrightRequest, type Browser } from 'playwright-core';
import { launchChromium } from '../test/support/browser.ts';
import { startServer } from '../test/support/server.ts';

const GOAL_QR_MS = 3_000;
const GOAL_JS_BYTES = 100 * 1000;
const runs = Math.max(1, Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 3));
/** `--trace`: every request of the first run with its start and end (ms after navigation), to find a waterfall. */
const trace = process.argv.includes('--trace');
const THROTTLE = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A new retailer and member, the member signed in: the session cookies for the browser. */
async function signedInMember(url: string) {
  const owner = await playwrightRequest.newContext({ baseURL: url });
  const post = async (path: string, data: unknown, context = owner) => {
    const res = await context.post(path, { data });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return res.status() === 204 ? null : res.json();
  };
  const id = Date.now().toString(36);
  const { slug } = await post('/api/v1/signup', { retailerName: `Toko Bench ${id}`, email: `owner-${id}@bench.kartu`, password: 'bench-password-1', slug: `bench-${id}` });
  const phone = `0812${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  await post('/api/v1/members', { name: 'Dewi Lestari', phone });
  const member = await playwrightRequest.newContext({ baseURL: url });
  await post('/api/v1/member-auth/otp', { slug, phone }, member);
  // Demo mode shows one-time codes in the outbox, as a tester reads them.
  const e164 = `+62${phone.slice(1)}`;
  let code: string | undefined;
  for (let tries = 0; !code && tries < 50; tries++) {
    const outbox = await (await owner.get('/api/v1/outbox')).json();
    const message = outbox.items.find((m: { recipient: string; purpose: string }) => m.purpose === 'otp' && m.recipient === e164);
    code = message && /\b(\d{6})\b/.exec(message.body)?.[1];
    if (!code) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!code) throw new Error('no one-time code in the outbox');
  await post('/api/v1/member-auth/verify', { slug, phone, code }, member);
  const state = await member.storageState();
  await Promise.all([owner.dispose(), member.dispose()]);
  return { slug, cookies: state.cookies };
}

interface Run {
  qrMs: number;
  jsGzip: number;
  jsSent: number;
  scripts: number;
}

async function measure(browser: Browser, url: string, slug: string, cookies: Awaited<ReturnType<typeof signedInMember>>['cookies'], traced: boolean): Promise<Run> {
  // A new context: empty HTTP cache, no service worker yet.
  const context = await browser.newContext({
    viewport: { width: 360, height: 800 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'id-ID',
    userAgent: 'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  });
  await context.addCookies(cookies);
  const page = await context.newPage();
  // The moment the QR's drawing is in the page, relative to the navigation's start.
  await page.addInitScript({
    content: `new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid="card-qr"] svg')) {
        window.__qrAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });`,
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.emulateNetworkConditions', THROTTLE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });

  const scripts: Promise<{ gzip: number; sent: number }>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    scripts.push(
      response.body().then(async (body) => {
        const sizes = await response.request().sizes();
        return { gzip: gzipSync(body).length, sent: sizes.responseBodySize };
      }),
    );
  });

  const requests: string[] = [];
  const started = Date.now();
  if (traced) {
    page.on('requestfinished', async (request) => {
      const timing = request.timing();
      const begin = Math.round(timing.startTime - started);
      requests.push(`${String(begin).padStart(6)} → ${String(Math.round(begin + timing.responseEnd)).padStart(6)} ms  ${request.url().replace(url, '')}`);
    });
  }
  await page.goto(`${url}/app/${slug}`, { waitUntil: 'commit' });
  await page.getByTestId('card-qr').locator('svg').waitFor({ timeout: 60_000 });
  const qrMs = Number(await page.evaluate('window.__qrAt'));
  // Everything the card page goes on to load (the offers and invite cards load when idle).
  await page.waitForLoadState('networkidle', { timeout: 60_000 }).catch(() => undefined);
  await page.waitForTimeout(2_000);
  const sizes = await Promise.all(scripts);
  await context.close();
  if (traced) console.log(requests.sort((a, b) => parseInt(a) - parseInt(b)).join('\n'));
  return {
    qrMs: Math.round(qrMs),
    jsGzip: sizes.reduce((sum, s) => sum + s.gzip, 0),
    jsSent: sizes.reduce((sum, s) => sum + s.sent, 0),
    scripts: sizes.length,
  };
}

const server = await startServer({ KARTU_DEMO: 'on' });
let browser: Browser | undefined;
try {
  if (/is not built yet/.test(await (await fetch(`${server.url}/app/`)).text())) throw new Error('the member app is not built: run `npm run build` first');
  const { slug, cookies } = await signedInMember(server.url);
  browser = await launchChromium();
  console.log(`Member app card page, ${runs} cold run(s) at 360×800, 150 ms RTT, 1.6/0.75 Mbps, CPU ÷${CPU_SLOWDOWN}`);
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await measure(browser, server.url, slug, cookies, trace && i === 0);
    results.push(run);
    console.log(`  run ${i + 1}: QR visible after ${run.qrMs} ms; JavaScript ${kb(run.jsGzip)} gzipped (${kb(run.jsSent)} sent) in ${run.scripts} files`);
  }
  const qrMs = median(results.map((r) => r.qrMs));
  const jsGzip = median(results.map((r) => r.jsGzip));
  const qrOk = qrMs < GOAL_QR_MS;
  const jsOk = jsGzip <= GOAL_JS_BYTES;
  console.log(`Median: QR visible after ${qrMs} ms (goal < ${GOAL_QR_MS} ms: ${qrOk ? 'pass' : 'MISS'}); JavaScript ${kb(jsGzip)} gzipped (goal ≤ ${kb(GOAL_JS_BYTES)}: ${jsOk ? 'pass' : 'MISS'})`);
  console.log(`Verdict: ${qrOk && jsOk ? 'PASS' : 'MISS'}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server.stop();
}
