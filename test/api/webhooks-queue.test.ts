import { afterAll, beforeAll, expect, it } from 'vitest';
import { startQueue } from '../../api/src/jobs/queue.ts';
import { newMember, newTenant, saleBody } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { newWebhook } from '../support/webhooks.ts';

// The job queue delivers a sale's webhook within seconds: the event site nudges the job once the
// delivery is queued, without waiting for the minute's schedule.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('delivers a transaction.posted through the job queue seconds after the sale', async () => {
  const receiver = await startHttpReceiver();
  const queue = await startQueue(app.deps, ['webhookDeliveries']);
  try {
    const tenant = await newTenant(app);
    await newWebhook(tenant, `${receiver.url}/queue`, ['transaction.posted']);
    const member = await newMember(tenant);
    const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `q-${member.id}`).send(saleBody({ memberId: member.id })).expect(201)).body;
    const posted = Date.now();
    const deadline = posted + 15_000;
    while (!receiver.requests.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests.map((r) => JSON.parse(r.body).data.transaction.id)).toEqual([sale.id]);
    expect(Date.now() - posted).toBeLessThan(15_000);
  } finally {
    await queue.stop();
    await receiver.close();
  }
});
