import { afterAll, beforeAll, expect, it } from 'vitest';
import { request as playwrightRequest, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { expectAccessible, pageWidth } from '../support/axe.ts';
import { launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/factories.ts';
import { openFromMenu, signInPortal } from '../support/portal.ts';
import { decodeQrCodes, pdfText } from '../support/qr-decode.ts';
import { embedSnippet } from '../../portal/src/lib/join-embed.ts';
import { startServer, type RunningServer } from '../support/server.ts';

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

async function apiPost(path: string, data: unknown) {
  const res = await owner.post(path, { data });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

const settings = async () => (await owner.get('/api/v1/settings/signup')).json();

/** The bytes behind the poster preview's blob URL, read in the page. */
async function posterBytes(page: Page): Promise<Buffer> {
  const src = await page.getByTestId('poster-frame').getAttribute('src');
  expect(src).toMatch(/^blob:/);
  // A string, run in the page: the test's own types have no DOM.
  const base64 = (await page.evaluate(`(async () => {
    const bytes = new Uint8Array(await (await fetch(${JSON.stringify(src)})).arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  })()`)) as string;
  return Buffer.from(base64, 'base64');
}

const mediaBox = (pdf: Buffer) => /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'))!.slice(1).map(Number);

it('a marketer edits the join form in both languages with a live preview, saves, and gets the poster, link and embed code', async () => {
  const id = Date.now().toString(36);
  const signup = await apiPost('/api/v1/signup', { retailerName: `Kopi Kita ${id}`, email: `owner-${id}@e2e.kartu`, password: PASSWORD, slug: `kopi-${id}` });
  await apiPost('/api/v1/staff', { email: `marketer-${id}@e2e.kartu`, name: 'Mbak Pemasar', role: 'marketer', password: PASSWORD });
  const before = await settings();

  const page = await signInPortal(browser, server.url, `marketer-${id}@e2e.kartu`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await openFromMenu(page, 'Customers', 'Sign-up form & poster');
  await page.waitForURL(/\/portal\/settings\/signup$/);

  // The saved texts load into both languages' fields.
  await expect.poll(() => page.getByTestId('signup-headline-en').inputValue()).toBe(before.form.headline.en);
  expect(await page.getByTestId('signup-headline-id').inputValue()).toBe(before.form.headline.id);

  // The preview follows the typing, in the language picked for it.
  await page.getByTestId('preview-lang-en').check();
  await page.getByTestId('signup-headline-en').fill('Join the Coffee Club');
  await page.getByTestId('signup-headline-id').fill('Gabung Klub Kopi');
  await page.getByTestId('signup-intro-en').fill('A free coffee every tenth cup.');
  await page.getByTestId('signup-intro-id').fill('Gratis kopi setiap cangkir kesepuluh.');
  await expect.poll(() => page.getByTestId('join-preview-headline').textContent()).toContain('Join the Coffee Club');
  expect(await page.getByTestId('join-preview-intro').textContent()).toContain('A free coffee every tenth cup.');
  await page.getByTestId('welcome-bonus').fill('250');
  await expect.poll(() => page.getByTestId('join-preview-bonus').textContent()).toBe('250 welcome points when you join');
  await page.getByTestId('signup-ask-birth-date').uncheck();
  expect(await page.getByTestId('join-preview-birth-date').count()).toBe(0);
  expect(await page.getByTestId('join-preview-email').count()).toBe(1);
  await page.getByTestId('preview-lang-id').check();
  await expect.poll(() => page.getByTestId('join-preview-headline').textContent()).toContain('Gabung Klub Kopi');
  expect(await page.getByTestId('join-preview-bonus').textContent()).toBe('250 poin selamat datang saat bergabung');
  expect(await page.getByTestId('join-preview').getAttribute('lang')).toBe('id');

  // A poster headline over the API's limit: the portal's own message (in the portal's language, not
  // the API's English) shows at that field, and nothing is sent or saved.
  await page.getByTestId('signup-posterHeadline-en').fill('x'.repeat(81));
  expect(await page.locator('#signup-posterHeadline-en-error').textContent()).toBe('At most 80 characters: 81 now.');
  let patches = 0;
  page.on('request', (request) => {
    if (request.method() === 'PATCH' && request.url().endsWith('/api/v1/settings/signup')) patches++;
  });
  await page.getByTestId('signup-save').click();
  await expect.poll(() => page.getByTestId('signup-error').textContent()).toContain('Check the fields marked below.');
  expect(await page.locator('#signup-posterHeadline-en-error').textContent()).toBe('At most 80 characters: 81 now.');
  expect(await page.getByTestId('signup-posterHeadline-en').getAttribute('aria-invalid')).toBe('true');
  expect(patches).toBe(0);
  expect((await settings()).form.headline.en).toBe(before.form.headline.en);
  // In Bahasa Indonesia, the same message in Indonesian.
  await page.getByRole('button', { name: 'Bahasa Indonesia', exact: true }).click();
  expect(await page.locator('#signup-posterHeadline-en-error').textContent()).toBe('Maksimal 80 karakter: sekarang 81.');
  await page.getByRole('button', { name: 'English', exact: true }).click();

  await page.getByTestId('signup-posterHeadline-en').fill('Members save more');
  await page.getByTestId('signup-posterHeadline-id').fill('Member lebih hemat');
  await page.getByTestId('signup-save').click();
  await expect.poll(() => page.getByTestId('signup-saved').textContent()).toContain('Sign-up form saved');
  const after = await settings();
  const [audited] = (await (await owner.get('/api/v1/audit?action=settings.signup.updated')).json()).items;
  expect(audited.details).toMatchObject({ welcomeBonusPoints: 250, form: { headline: { id: 'Gabung Klub Kopi', en: 'Join the Coffee Club' } } });
  expect(after).toMatchObject({
    welcomeBonusPoints: 250,
    joinPath: `/app/${signup.slug}/join`,
    joinUrl: `${server.url}/app/${signup.slug}/join`,
    form: {
      headline: { id: 'Gabung Klub Kopi', en: 'Join the Coffee Club' },
      intro: { id: 'Gratis kopi setiap cangkir kesepuluh.', en: 'A free coffee every tenth cup.' },
      askEmail: true,
      askBirthDate: false,
      posterHeadline: { id: 'Member lebih hemat', en: 'Members save more' },
      consentText: before.form.consentText,
    },
  });

  // The poster: A5, in English, for a campaign tag; the PDF in the preview carries the saved
  // headline and a QR with the join link shown on the page.
  await page.getByTestId('poster-size-A5').check();
  await page.getByTestId('poster-lang-en').check();
  await page.getByTestId('poster-tag').fill('window-dec');
  const joinLink = `${server.url}/app/${signup.slug}/join?tag=window-dec`;
  await expect.poll(() => page.getByTestId('join-link').inputValue()).toBe(joinLink);
  await expect.poll(async () => (await page.getByTestId('poster-download').getAttribute('download')) ?? '').toBe('poster-A5-en-window-dec.pdf');
  await expect.poll(() => page.locator('.frame[aria-busy="true"]').count()).toBe(0);
  const pdf = await posterBytes(page);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const [width, height] = mediaBox(pdf);
  expect(Math.round(width)).toBe(420);
  expect(Math.round(height)).toBe(595);
  expect(pdfText(pdf)).toContain('Members save more');
  expect(decodeQrCodes(pdf)).toContain(joinLink);
  expect(await page.getByTestId('poster-download').getAttribute('href')).toBe(await page.getByTestId('poster-frame').getAttribute('src'));

  // The join link and the embed code copy to the clipboard.
  await page.getByTestId('copy-link').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(joinLink);
  // The embed code: the framed form at the API's join address and the script that fits the frame
  // to the form, taking the height only from Kartu's origin (member-join.test.ts runs it on a page).
  const embed = await page.getByTestId('embed-code').inputValue();
  expect(embed).toContain(`src="${server.url}/app/${signup.slug}/join?embed=1&amp;tag=window-dec"`);
  expect(embed).toMatch(/^<iframe id="kartu-join-window-dec" .*title="Join Kopi Kita [^"]+".*><\/iframe>\n<script>/);
  expect(embed).toContain(`event.origin !== "${server.url}"`);
  expect(embed).toBe(embedSnippet({ joinUrl: after.joinUrl, tag: 'window-dec', title: `Join Kopi Kita ${id}` }));
  await page.getByTestId('copy-embed').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(embed);

  await expectAccessible(page, 'sign-up settings', ['[data-testid="poster-frame"]']);

  // On a phone the page fits the screen.
  await page.setViewportSize({ width: 360, height: 800 });
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await page.context().close();
});
