import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalHash } from '../../api/src/shared/crypto.ts';
import { newMember, newPhone, newTenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

it('runs the effect once when a key’s first holder died mid-request (its row unlocked, unfinished)', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'opening balance' }).expect(201);
  const body = { points: 10 };
  // What a crashed process leaves: the claim committed, its effect rolled back with its connection.
  await app.deps.db.insertInto('idempotency_keys').values({
    tenant_id: tenant.id, caller: `staff:${tenant.ownerId}`, route: 'POST /api/v1/members/{id}/points/redemptions', key: 'crashed',
    request_hash: canonicalHash({ params: { id: member.id }, body }), status: 'in_progress',
  }).execute();
  const results = await Promise.all(
    Array.from({ length: concurrent(5) }, () => tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'crashed').send(body)),
  );
  expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  expect((await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body.balance).toBe(90);
});

it('answers concurrent enrolments of one phone with one 201 and 409s, never a 500', async () => {
  const tenant = await newTenant(app);
  const phone = newPhone();
  const results = await Promise.all(Array.from({ length: concurrent(8) }, () => tenant.owner.post('/api/v1/members').send({ name: 'Dua Kali', phone })));
  const statuses = results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
  for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe('phone_taken');
});
