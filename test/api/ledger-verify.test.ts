import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

it('finds a lot that no longer matches the balance', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 50, reason: 'opening balance' }).expect(201);
  expect(await verifyLedger(app.deps.db, { tenantId: tenant.id })).toEqual({ accounts: 1, violations: [] });

  await sql`update point_lots set remaining = remaining - 1 where tenant_id = ${tenant.id}`.execute(app.deps.db);
  const { violations } = await verifyLedger(app.deps.db, { tenantId: tenant.id });
  expect(violations).toEqual([
    { tenantId: tenant.id, accountId: expect.any(String), check: 'balance = sum of posted lot remainders', expected: 50, actual: 49 },
  ]);
});

it('refuses to edit or delete a ledger entry', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 5, reason: 'opening balance' }).expect(201);
  await expect(sql`update point_entries set points = 500 where tenant_id = ${tenant.id}`.execute(app.deps.db)).rejects.toThrow(/append-only/);
  await expect(sql`delete from point_entries where tenant_id = ${tenant.id}`.execute(app.deps.db)).rejects.toThrow(/append-only/);
});

it('refuses a negative balance even from a direct write', async () => {
  const tenant = await newTenant(app);
  await newMember(tenant);
  await expect(sql`update point_accounts set balance = -1 where tenant_id = ${tenant.id}`.execute(app.deps.db)).rejects.toThrow(/check constraint/);
});
