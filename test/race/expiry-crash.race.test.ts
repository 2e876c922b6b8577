import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { expireLotsOf, expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant, type Tenant } from '../support/factories.ts';
import { holdLedgerClockPerTest } from '../support/points.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());
// Other files run the global expiry job too; hold the ledger clock while this test owns it.
holdLedgerClockPerTest(() => app);

/** Six members with points that expire one hour ago (without waiting), in a tenant of their own. */
async function expiringTenant(): Promise<{ tenant: Tenant; accounts: { tenant_id: string; id: string }[] }> {
  const tenant = await newTenant(app);
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1 }).expect(200);
  for (let i = 0; i < 6; i++) {
    const member = await newMember(tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 10 + i, reason: 'old' }).expect(201);
  }
  await sql`update point_lots set expires_at = now() - interval '1 hour' where tenant_id = ${tenant.id}`.execute(app.deps.db);
  const accounts = await app.deps.db.selectFrom('point_accounts').select(['tenant_id', 'id']).where('tenant_id', '=', tenant.id).orderBy('id').execute();
  return { tenant, accounts };
}

const expiredOf = async (tenantId: string) =>
  (await app.deps.db.selectFrom('point_entries').select(['account_id', 'points']).where('tenant_id', '=', tenantId).where('kind', '=', 'expire').orderBy('account_id').execute())
    .map((e) => [e.account_id, e.points]);

it('gives the result of one clean run when killed mid-batch and mid-run, then run again', async () => {
  const { tenant, accounts } = await expiringTenant();

  // Killed inside a batch: its transaction never commits.
  await expect(app.deps.db.transaction().execute(async (trx) => {
    await sql`select 1 from point_accounts where tenant_id = ${tenant.id} order by id for update`.execute(trx);
    await expireLotsOf(trx, accounts.slice(0, 3), new Date());
    throw new Error('killed');
  })).rejects.toThrow('killed');
  expect(await expiredOf(tenant.id)).toEqual([]);

  // Killed between batches: the first batch committed, the rest never ran.
  await app.deps.db.transaction().execute(async (trx) => {
    await sql`select 1 from point_accounts where tenant_id = ${tenant.id} and id = any(${accounts.slice(0, 2).map((a) => a.id)}::uuid[]) order by id for update`.execute(trx);
    await expireLotsOf(trx, accounts.slice(0, 2), new Date());
  });
  expect(await expiredOf(tenant.id)).toHaveLength(2);

  // Run again, twice (× the race scale), batches of two, concurrently with itself.
  await Promise.all(Array.from({ length: concurrent(2) }, () => expirePoints(app.deps.db, new Date(), 2)));
  await expirePoints(app.deps.db, new Date(), 2);
  const expired = await expiredOf(tenant.id);
  expect(expired.map(([, points]) => points).sort()).toEqual([-10, -11, -12, -13, -14, -15].sort());
  expect(new Set(expired.map(([account]) => account)).size).toBe(6);
  const balances = await app.deps.db.selectFrom('point_accounts').select('balance').where('tenant_id', '=', tenant.id).execute();
  expect(balances.every((b) => b.balance === 0)).toBe(true);
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});
