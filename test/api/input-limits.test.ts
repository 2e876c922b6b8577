import { afterAll, beforeAll, expect, it } from 'vitest';
import { newMember, newTenant, saleBody } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('names a text field holding a NUL character instead of failing in the database', async () => {
  const tenant = await newTenant(app);
  const res = await tenant.owner.post('/api/v1/members').send({ name: 'A\u0000B', phone: '081234567890' });
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual([{ path: 'body.name', message: 'Must not contain NUL characters' }]);
  expect((await tenant.owner.get('/api/v1/members')).body.items).toHaveLength(0);
});

it('refuses amounts beyond any real sale with 400 naming the line, and posts nothing', async () => {
  const tenant = await newTenant(app);
  const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'big')
    .send(saleBody({ items: [{ sku: 'A', quantity: 100_000, unitPrice: 1e13 }] }));
  expect(res.status).toBe(400);
  expect(res.body.errors[0].path).toBe('body.items.0');
  const many = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'many')
    .send(saleBody({ items: Array.from({ length: 10 }, () => ({ sku: 'A', quantity: 1, unitPrice: 1e13 })) }));
  expect(many.status).toBe(400);
  expect(many.body.errors[0].path).toBe('body.items');
  expect((await tenant.owner.get('/api/v1/transactions')).body.items).toHaveLength(0);
});

it('replays a final 4xx for the same key even after the balance changed', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  const first = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'k').send({ points: 10 });
  expect(first.status).toBe(409);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 50, reason: 'opening balance' }).expect(201);
  const retry = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'k').send({ points: 10 });
  expect(retry.status).toBe(409);
  expect(retry.headers['content-type']).toContain('application/problem+json');
  expect(retry.headers['idempotent-replayed']).toBe('true');
  expect(retry.body).toEqual(first.body);
  expect((await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body.balance).toBe(50);
});

it('shows only balances in a redemption’s answer', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 50, reason: 'opening balance' }).expect(201);
  const res = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'r').send({ points: 10 });
  expect(res.body).toEqual({ points: { balance: 40, pending: 0, debt: 0 } });
});
