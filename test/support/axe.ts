import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/**
 * axe-core on the page as it is now (WCAG 2.x A and AA rules): no serious or critical
 * violation. `exclude` leaves out selectors whose content is not the portal's own (a PDF viewer).
 */
export async function expectAccessible(page: Page, label: string, exclude: string[] = []) {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  for (const selector of exclude) builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(serious, `axe on ${label}`).toEqual([]);
}

/** The page is no wider than the viewport (nothing to scroll sideways on a phone). */
export const pageWidth = (page: Page) => page.locator('html').evaluate((html) => html.scrollWidth);
