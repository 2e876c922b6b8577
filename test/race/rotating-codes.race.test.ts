import { afterAll, beforeAll, expect, it } from 'vitest';
import { counterAt } from '../../api/client/rotating-code.ts';
import { memberCard, rotatingQrOf, signedInMember } from '../support/cards.ts';
import { newTenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

it('scans one rotating code at ten tills at the same moment, and none of its older steps afterwards', async () => {
  const tenant = await newTenant(app);
  const { member, phoneApp } = await signedInMember(app, tenant);
  const card = await memberCard(phoneApp);
  // Away from a step boundary, so every request sees the same step.
  while (30 - ((Date.now() / 1000) % 30) < 3) await new Promise((resolve) => setTimeout(resolve, 250));
  const code = rotatingQrOf(card, counterAt(Date.now()));
  const results = await Promise.all(Array.from({ length: concurrent(10) }, () => tenant.owner.post('/api/v1/scan').send({ code })));
  expect(results.map((r) => r.status)).toEqual(Array(results.length).fill(200));
  expect(new Set(results.map((r) => r.body.member.id))).toEqual(new Set([member.id]));
  const older = await tenant.owner.post('/api/v1/scan').send({ code: rotatingQrOf(card, counterAt(Date.now()) - 1) });
  expect(older.status).toBe(404);
});

it('gives a card without a secret exactly one secret under concurrent first use', async () => {
  const tenant = await newTenant(app);
  const { member, phoneApp } = await signedInMember(app, tenant);
  await app.deps.db.updateTable('cards').set({ rotating_secret_enc: null }).where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).execute();
  const cards = await Promise.all(Array.from({ length: concurrent(10) }, () => memberCard(phoneApp)));
  expect(new Set(cards.map((c) => c.rotating.secret)).size).toBe(1);
  expect((await memberCard(phoneApp)).rotating.secret).toBe(cards[0].rotating.secret);
});
