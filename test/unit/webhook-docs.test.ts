import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { WEBHOOK_EVENTS } from '../../api/src/webhooks/webhook-events.ts';

// docs/webhooks.md shows the receiver example the API tests run (test/api/webhooks.test.ts), verbatim,
// and documents every event type.
const doc = readFileSync(join(repoRoot, 'docs/webhooks.md'), 'utf8');

it('includes docs/examples/verify-webhook.mjs verbatim', () => {
  const example = readFileSync(join(repoRoot, 'docs/examples/verify-webhook.mjs'), 'utf8');
  expect(doc).toContain('```js\n' + example + '```');
});

it('documents every event type', () => {
  for (const event of [...WEBHOOK_EVENTS, 'ping']) expect(doc).toContain(`| \`${event}\` |`);
});
