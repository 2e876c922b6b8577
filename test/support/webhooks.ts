import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import type { Tenant } from './factories.ts';

/** The receiver example of docs/webhooks.md, run as it is published. */
export async function docsVerifier(): Promise<(secret: string, headers: Record<string, unknown>, rawBody: string, now?: number) => any> {
  const file = join(import.meta.dirname, '../../docs/examples/verify-webhook.mjs');
  return (await import(pathToFileURL(file).href)).verifyKartuWebhook;
}

export async function newWebhook(tenant: Tenant, url: string, events: string[] = ['*']) {
  const res = await tenant.owner.post('/api/v1/webhooks').send({ url, events });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; url: string; events: string[]; active: boolean };
}

export async function deliveriesOf(tenant: Tenant, webhookId: string) {
  const res = await tenant.owner.get(`/api/v1/webhooks/${webhookId}/deliveries`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; event: string; status: string; attempts: number; lastResponseStatus: number | null; lastError: string | null; nextAttemptAt: string | null }[];
}
