import { afterAll, beforeAll, expect, it } from 'vitest';
import { runLedgerJobs } from '../../api/src/jobs/scheduler.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ KARTU_DEMO: 'on' });
});
afterAll(() => app.close());

it('masks one-time codes in the outbox once they are an hour old, even in demo mode', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: member.phone }).expect(202);
  const [fresh] = (await tenant.owner.get('/api/v1/outbox')).body.items;
  const code = /\b(\d{6})\b/.exec(fresh.body)![1];

  await runLedgerJobs(app.deps, new Date(Date.now() + 30 * 60e3));
  expect((await tenant.owner.get('/api/v1/outbox')).body.items[0].body).toContain(code);

  await runLedgerJobs(app.deps, new Date(Date.now() + 2 * 3600e3));
  const [scrubbed] = (await tenant.owner.get('/api/v1/outbox')).body.items;
  expect(scrubbed.body).not.toContain(code);
  expect(scrubbed.body).toContain('••••••');
});
