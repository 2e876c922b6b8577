import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverDueWebhooks } from '../../api/src/webhooks/webhook-delivery.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { newWebhook } from '../support/webhooks.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';

// Real PostgreSQL only: two apps stand for two API processes, each with its own connection pool.
let one: TestApp;
let two: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  [one, two] = await Promise.all([createTestApp(raceAppEnv()), createTestApp(raceAppEnv())]);
});
afterAll(async () => {
  await one?.close();
  await two?.close();
});

it('job runners in several processes deliver each webhook exactly once', async () => {
  const receiver = await startHttpReceiver();
  try {
    const tenant = await newTenant(one);
    const webhook = await newWebhook(tenant, `${receiver.url}/race`, ['member.created']);
    for (let i = 0; i < 45; i++) await newMember(tenant);
    const runs = await Promise.all(Array.from({ length: concurrent(6) }, (_, i) => deliverDueWebhooks((i % 2 ? two : one).deps)));

    expect(runs.reduce((sum, run) => sum + run.succeeded, 0)).toBe(45);
    const ids = receiver.requests.map((r) => r.headers['kartu-webhook-id']);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    const rows = await one.deps.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('tenant_id', '=', tenant.id).where('webhook_id', '=', webhook.id).execute();
    expect(rows).toHaveLength(45);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
    const attempts = await one.deps.db.selectFrom('webhook_attempts').select('delivery_id').where('tenant_id', '=', tenant.id).execute();
    expect(attempts).toHaveLength(45);
  } finally {
    await receiver.close();
  }
});
