import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

async function memberWithPoints(tenant: Tenant, points: number) {
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points, reason: 'opening balance' }).expect(201);
  return member;
}

describe('concurrency on one balance', () => {
  it('50 concurrent redemptions never overdraw, and every accepted one is in the ledger', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 1000);
    const results = await Promise.all(
      Array.from({ length: concurrent(50) }, (_, i) =>
        tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', `r-${i}`).send({ points: 30 }),
      ),
    );
    const statuses = results.map((r) => r.status);
    const accepted = statuses.filter((s) => s === 201).length;
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(accepted).toBe(33); // floor(1000 / 30), fewer than the contenders
    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.balance).toBe(1000 - 33 * 30);
    const redeemed = await app.deps.db
      .selectFrom('point_entries').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenant.id).where('kind', '=', 'redeem').executeTakeFirstOrThrow();
    expect(Number(redeemed.n)).toBe(33);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('sales and redemptions interleaved on one member keep every invariant', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 200);
    const calls = Array.from({ length: concurrent(40) }, (_, i) =>
      i % 2
        ? tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', `r-${i}`).send({ points: 15 })
        : tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `s-${i}`).send(saleBody({ memberId: member.id, pointsToRedeem: 5, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }] })),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status).filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const entries = await app.deps.db
      .selectFrom('point_entries').innerJoin('point_accounts', (j) => j.onRef('point_accounts.tenant_id', '=', 'point_entries.tenant_id').onRef('point_accounts.id', '=', 'point_entries.account_id'))
      .select((eb) => eb.fn.sum<number>('point_entries.points').as('sum'))
      .where('point_entries.tenant_id', '=', tenant.id).where('point_accounts.member_id', '=', member.id).executeTakeFirstOrThrow();
    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.balance).toBe(Number(entries.sum));
    expect(points.body.balance).toBeGreaterThanOrEqual(0);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });
});

describe('idempotency under concurrency', () => {
  it('answers 409 idempotency-in-progress with Retry-After while the first request runs, then replays it', async () => {
    const tenant = await newTenant(app);
    const member = await memberWithPoints(tenant, 100);
    // Hold the member's account lock from another connection so the first request waits inside its effect.
    const blocker = await app.deps.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`select id from point_accounts where tenant_id = ${tenant.id} and member_id = ${member.id} for update`.execute(conn);
      const first = tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'same').send({ points: 10 }).then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const duplicate = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'same').send({ points: 10 });
      await sql`commit`.execute(conn);
      return { first: await first, duplicate };
    });
    expect(blocker.duplicate.status).toBe(409);
    expect(blocker.duplicate.body.type).toMatch(/idempotency-in-progress$/);
    expect(blocker.duplicate.headers['retry-after']).toBe('1');
    expect(blocker.first.status).toBe(201);
    const replay = await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'same').send({ points: 10 });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(blocker.first.body);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body.balance).toBe(90);
  });

  it('posts a sale once when the same key is sent 10 times at once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const body = saleBody({ memberId: member.id });
    const results = await Promise.all(Array.from({ length: concurrent(10) }, () => tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'once').send(body)));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ok = results.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    const sales = await tenant.owner.get('/api/v1/transactions');
    expect(sales.body.items).toHaveLength(1);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}/points`)).body.balance).toBe(15);
  });

  it('posts one sale when the same receipt arrives under 10 different keys at once', async () => {
    const tenant = await newTenant(app);
    const results = await Promise.all(
      Array.from({ length: concurrent(10) }, (_, i) => tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `k-${i}`).send(saleBody({ receiptNo: 'SAME-1' }))),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.transactionId).toBe(ok[0].body.id);
    }
  });
});
