import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('does not spend points past their date, even before the expiry job has run', async () => {
  // Points that expired are not spendable, and a sale's redemption of them is refused.
  const tenant = await newTenant(app);
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1 }).expect(200);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 50, reason: 'old points' }).expect(201);
  await sql`update point_lots set expires_at = now() - interval '1 hour' where tenant_id = ${tenant.id}`.execute(app.deps.db);
  expect((await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body.expiring).toEqual([]);

  const spend = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'late').send({ points: 10 });
  expect(spend.status).toBe(409);
  expect(spend.body).toMatchObject({ code: 'insufficient_points', balance: 0 });
  // The refused spend rolled back with its in-transaction expiry; the job records it.
  await expirePoints(app.deps.db);
  const points = (await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body;
  expect(points.balance).toBe(0);
  expect(points.entries.items[0]).toMatchObject({ kind: 'expire', points: -50, balanceAfter: 0 });
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});
