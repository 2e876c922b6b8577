import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD } from './factories.ts';

/** A portal page signed in as the given staff member. */
export async function signInPortal(
  browser: Browser,
  baseUrl: string,
  email: string,
  { locale = 'en-US', width = 1280, height = 900 }: { locale?: string; width?: number; height?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width, height }, timezoneId: 'Asia/Jakarta' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/portal/login`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  await page.getByTestId('staff-name').waitFor();
  return page;
}

/** Opens a section of the portal's menu and follows one of its links, as a person would. */
export async function openFromMenu(page: Page, section: string, link: string) {
  const nav = page.getByRole('navigation');
  const button = nav.getByRole('button', { name: section, exact: true });
  await button.click();
  expect(await button.getAttribute('aria-expanded')).toBe('true');
  await nav.getByRole('link', { name: link, exact: true }).click();
}

/** The one-time codes sent to a phone (national form), newest first, from the owner's outbox (demo mode shows them). */
export async function codesSentTo(get: (path: string) => Promise<{ json: () => Promise<unknown> }>, nationalPhone: string): Promise<string[]> {
  const e164 = `+62${nationalPhone.replace(/\D/g, '').replace(/^0/, '')}`;
  const outbox = (await (await get('/api/v1/outbox')).json()) as { items: { recipient: string; purpose: string; body: string }[] };
  return outbox.items.filter((m) => m.purpose === 'otp' && m.recipient === e164).map((m) => /\b(\d{6})\b/.exec(m.body)![1]);
}
