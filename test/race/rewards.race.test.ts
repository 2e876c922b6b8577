import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newTenant, type Tenant } from '../support/factories.ts';
import { memberWithPoints, newReward, redeemReward } from '../support/rewards.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

async function countOf(tenant: Tenant, table: 'vouchers' | 'reward_redemptions') {
  const row = await app.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function entriesOf(tenant: Tenant, kind: 'redeem' | 'return') {
  const row = await app.deps.db
    .selectFrom('point_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.id).where('kind', '=', kind)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function stockOf(tenant: Tenant, rewardId: string) {
  const row = await app.deps.db.selectFrom('rewards').select('stock').where('tenant_id', '=', tenant.id).where('id', '=', rewardId).executeTakeFirstOrThrow();
  return row.stock;
}

async function balanceOf(tenant: Tenant, memberId: string) {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/points`);
  return res.body.balance as number;
}

const ledgerViolations = async (tenant: Tenant) => (await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations;

describe('concurrent reward redemptions', () => {
  it('stock 3 under 20 members redeeming at once: exactly 3 succeed, 3 vouchers, 3 debits, stock 0', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100, stock: 3 });
    const members = await Promise.all(Array.from({ length: concurrent(20) }, () => memberWithPoints(tenant, 150)));
    const results = await Promise.all(members.map((m, i) => redeemReward(tenant.owner, reward.id, { memberId: m.id }, `stock-${i}`)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 3, 409: members.length - 3 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'reward_out_of_stock')).toBe(true);
    expect(await stockOf(tenant, reward.id)).toBe(0);
    expect(await countOf(tenant, 'vouchers')).toBe(3);
    expect(await countOf(tenant, 'reward_redemptions')).toBe(3);
    expect(await entriesOf(tenant, 'redeem')).toBe(3);
    const winners = new Set(results.filter((r) => r.status === 201).map((r) => r.body.memberId));
    for (const member of members) expect(await balanceOf(tenant, member.id)).toBe(winners.has(member.id) ? 50 : 150);
    expect(await ledgerViolations(tenant)).toEqual([]);
  });

  it('one member with points for 2 redeeming 10 times at once (limit 5): exactly 2 succeed, the balance is exact', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100, perMemberLimit: 5, stock: 50 });
    const member = await memberWithPoints(tenant, 250);
    const results = await Promise.all(Array.from({ length: concurrent(10) }, (_, i) => redeemReward(tenant.owner, reward.id, { memberId: member.id }, `points-${i}`)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 2, 409: results.length - 2 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'insufficient_points' && r.body.balance === 50)).toBe(true);
    expect(await balanceOf(tenant, member.id)).toBe(50);
    expect(await stockOf(tenant, reward.id)).toBe(48);
    expect(await countOf(tenant, 'vouchers')).toBe(2);
    expect(await entriesOf(tenant, 'redeem')).toBe(2);
    expect(await ledgerViolations(tenant)).toEqual([]);
  });

  it('a per-member limit of 2 under 10 attempts at once by a member with plenty of points: exactly 2', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 10, perMemberLimit: 2 });
    const member = await memberWithPoints(tenant, 1000);
    const results = await Promise.all(Array.from({ length: concurrent(10) }, (_, i) => redeemReward(tenant.owner, reward.id, { memberId: member.id }, `limit-${i}`)));
    expect(statusCounts(results.map((r) => r.status))).toEqual({ 201: 2, 409: results.length - 2 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'reward_limit_reached')).toBe(true);
    expect(await balanceOf(tenant, member.id)).toBe(980);
    expect(await countOf(tenant, 'vouchers')).toBe(2);
    expect(await ledgerViolations(tenant)).toEqual([]);
  });

  it('cancellations racing each other and new redemptions return points and stock exactly once', async () => {
    const tenant = await newTenant(app);
    const reward = await newReward(tenant, { pointsCost: 100, stock: 2 });
    const [first, second] = await Promise.all([memberWithPoints(tenant, 100), memberWithPoints(tenant, 100)]);
    const redeemed = await redeemReward(tenant.owner, reward.id, { memberId: first.id }, 'first');
    await redeemReward(tenant.owner, reward.id, { memberId: second.id }, 'second').expect(201);
    const others = await Promise.all(Array.from({ length: concurrent(5) }, () => memberWithPoints(tenant, 100)));
    const cancels = concurrent(5);
    const results = await Promise.all([
      ...Array.from({ length: cancels }, () => tenant.owner.post(`/api/v1/rewards/redemptions/${redeemed.body.id}/cancel`)),
      ...others.map((m, i) => redeemReward(tenant.owner, reward.id, { memberId: m.id }, `late-${i}`)),
    ]);
    expect(results.slice(0, cancels).map((r) => r.status)).toEqual(Array(cancels).fill(200));
    const late = results.slice(cancels).map((r) => r.status);
    expect(late.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const lateWins = late.filter((s) => s === 201).length;
    expect(lateWins).toBeLessThanOrEqual(1);
    expect(await balanceOf(tenant, first.id)).toBe(100);
    expect(await entriesOf(tenant, 'return')).toBe(1);
    expect(await stockOf(tenant, reward.id)).toBe(1 - lateWins);
    expect(await ledgerViolations(tenant)).toEqual([]);
  });
});
