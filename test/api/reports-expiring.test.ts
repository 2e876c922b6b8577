import { afterAll, beforeAll, expect, it } from 'vitest';
import { newMember, newStaff, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('lists members whose points expire within the window, for reminders', async () => {
  const tenant = await newTenant(app);
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1 }).expect(200);
  const [keeps, spends, none] = [await newMember(tenant), await newMember(tenant), await newMember(tenant)];
  for (const member of [keeps, spends]) {
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 80, reason: 'welcome' }).expect(201);
  }
  await tenant.owner.post(`/api/v1/members/${spends.id}/points/redemptions`).set('Idempotency-Key', 'all').send({ points: 80 }).expect(201);

  const soon = await tenant.owner.get('/api/v1/reports/expiring-points?days=40');
  expect(soon.status).toBe(200);
  expect(soon.body.items).toEqual([
    { memberId: keeps.id, name: keeps.name, phone: keeps.phone, marketingOptIn: false, points: 80, firstExpiry: expect.any(String) },
  ]);
  const expiry = new Date(soon.body.items[0].firstExpiry).getTime();
  expect(expiry).toBeGreaterThan(Date.now() + 27 * 86400e3);
  expect(expiry).toBeLessThan(Date.now() + 32 * 86400e3);
  expect(none.id).not.toBe(keeps.id);

  expect((await tenant.owner.get('/api/v1/reports/expiring-points?days=10')).body.items).toEqual([]);
  expect((await tenant.owner.get('/api/v1/reports/expiring-points?days=0')).status).toBe(400);
  const cashier = await newStaff(app, tenant, 'cashier');
  expect((await cashier.agent.get('/api/v1/reports/expiring-points')).status).toBe(403);
});
