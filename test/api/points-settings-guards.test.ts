import { afterAll, beforeAll, expect, it } from 'vitest';
import { newMember, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('refuses a return window as long as the expiry period, naming the field, and changes nothing', async () => {
  const tenant = await newTenant(app);
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1, returnWindowDays: 14 }).expect(200);
  const res = await tenant.owner.patch('/api/v1/settings/points').send({ returnWindowDays: 30 });
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual([{ path: 'body.returnWindowDays', message: 'Must be shorter than the 1-month expiry' }]);
  expect((await tenant.owner.get('/api/v1/settings/points')).body).toMatchObject({ returnWindowDays: 14, expiryMonths: 1 });
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'never', returnWindowDays: 30 }).expect(200);
});

it('will not void a sale of which a free line was refunded', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 's').send(saleBody({
    memberId: member.id,
    items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(150_000) }, { sku: 'GIFT', quantity: 1, unitPrice: 0 }],
  }))).body;
  await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', 'r')
    .send({ lines: [{ lineId: sale.lines[1].id, quantity: 1 }] }).expect(201);
  const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', 'v');
  expect(voided.status).toBe(409);
  expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.points.balance).toBe(15);
});
