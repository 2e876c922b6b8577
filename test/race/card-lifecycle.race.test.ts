import { afterAll, beforeAll, expect, it } from 'vitest';
import { newMember, newPhone, newTenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

it('replaces a card once per request when two tills replace it at the same moment, never a 500', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  const results = await Promise.all(Array.from({ length: concurrent(4) }, () =>
    tenant.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'lost' })));
  expect(results.map((r) => r.status).every((s) => s === 201 || s === 409)).toBe(true);
  const cards = (await tenant.owner.get(`/api/v1/members/${member.id}/cards`)).body.items as { status: string }[];
  expect(cards.filter((c) => c.status === 'active')).toHaveLength(1);
  expect(cards.filter((c) => c.status === 'replaced')).toHaveLength(cards.length - 1);
  expect(cards.length - 1).toBe(results.filter((r) => r.status === 201).length);
});

it('tells a replaced card apart from an unknown one neither at the scan nor at attach', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'damaged' }).expect(201);
  const attachOld = await tenant.owner.post('/api/v1/cards/attach').send({ code: member.cardNumber, name: 'X', phone: newPhone() });
  const unknown = await tenant.owner.post('/api/v1/cards/attach').send({ code: '7000000000000008', name: 'X', phone: newPhone() });
  expect(attachOld.status).toBe(404);
  expect(attachOld.body).toEqual(unknown.body);
});
