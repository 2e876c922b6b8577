import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import {
  adjust, daysAgoAt, expectLedgerClean, holdLedgerClockPerTest, jakartaMonth, lotsOf, plusMs, pointsOf, postSale, redeem, setPointsPolicy,
} from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
holdLedgerClockPerTest(() => app);

const POINT = 10_000; // Rp 100, the default point value

describe('GET /api/v1/reports/points-liability', () => {
  it('adds up outstanding points, their value, where they sit, what expires within 30/60/90 days and this month’s flows', async () => {
    const tenant = await newTenant(app);
    const s1 = await newStore(tenant, { name: 'Toko Satu' });
    const s2 = await newStore(tenant, { name: 'Toko Dua' });
    const silver = await tenant.owner.post('/api/v1/tiers').send({ code: 'silver', name: 'Silver', rank: 1, minQualifying: rupiah(1_000_000), earnMultiplier: 1.25 });
    expect(silver.status).toBe(201);
    const m1 = await newMember(tenant);
    const m2 = await newMember(tenant);
    const m3 = await newMember(tenant);
    const sale = (memberId: string, storeId: string, rp: number, daysAgo: number) =>
      postSale(tenant, saleBody({ memberId, storeId, occurredAt: daysAgoAt(daysAgo, 12).toISOString(), items: [{ sku: 'X', quantity: 1, unitPrice: rupiah(rp) }] }));

    // Each policy gives lots of its own expiry: 1 month after 29 days ago (about now), 1, 2 and 3 months after 10 days ago.
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const e = await sale(m1.id, s1.id, 50_000, 29); // 5, about to expire
    await sale(m1.id, s1.id, 150_000, 10); // 15, within 30 days
    await setPointsPolicy(tenant, { expiryMonths: 2 });
    const b = await sale(m2.id, s2.id, 1_200_000, 10); // 120, within 60 days; m2 becomes Silver
    expect(b.tier).toEqual({ code: 'silver', name: 'Silver' });
    await setPointsPolicy(tenant, { expiryMonths: 3 });
    await sale(m1.id, s2.id, 300_000, 10); // 30, within 90 days
    await setPointsPolicy(tenant, { expiryPolicy: 'never' });
    await adjust(tenant, m2.id, 40); // no store, never expires

    const eLot = (await lotsOf(tenant, m1.id)).find((l) => l.transactionId === e.id)!;
    await expirePoints(app.deps.db, plusMs(eLot.expiresAt!, 1)); // the 5 points expire
    await redeem(tenant, m1.id, 10).expect(201); // from the 15 (the soonest-expiring left)

    const balances = await Promise.all([m1, m2, m3].map(async (m) => (await pointsOf(tenant, m.id)).balance));
    expect(balances).toEqual([35, 160, 0]);

    const res = await tenant.owner.get('/api/v1/reports/points-liability');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body;
    expect(report.pointValue).toBe(POINT);
    expect(report.outstanding).toEqual({ points: 195, value: 195 * POINT, pending: 0, debt: 0, members: 2 });
    expect(report.byTier).toEqual([
      { code: 'member', name: 'Member', members: 2, points: 35, value: 35 * POINT },
      { code: 'silver', name: 'Silver', members: 1, points: 160, value: 160 * POINT },
    ]);
    expect(report.byStore).toEqual([
      { storeId: s2.id, name: 'Toko Dua', points: 150, value: 150 * POINT },
      { storeId: null, name: null, points: 40, value: 40 * POINT },
      { storeId: s1.id, name: 'Toko Satu', points: 5, value: 5 * POINT },
    ]);
    const sum = (rows: { points: number }[]) => rows.reduce((s, r) => s + r.points, 0);
    expect(sum(report.byTier)).toBe(report.outstanding.points);
    expect(sum(report.byStore)).toBe(report.outstanding.points);
    expect(report.expiring).toEqual([
      { days: 30, points: 5, value: 5 * POINT },
      { days: 60, points: 125, value: 125 * POINT },
      { days: 90, points: 155, value: 155 * POINT },
    ]);
    expect(report.monthly).toHaveLength(12);
    expect(report.monthly.at(-1)).toEqual({ month: jakartaMonth(), issued: 5 + 15 + 120 + 30 + 40, redeemed: 10, expired: 5, reversed: 0 });
    expect(report.monthly.slice(0, -1).every((m: { issued: number; redeemed: number }) => m.issued === 0 && m.redeemed === 0)).toBe(true);
    await expectLedgerClean(app, tenant.id);
  });

  it('has monthly flows that reconcile with the outstanding points when a refund leaves debt and a sale repays it', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const first = await postSale(tenant, saleBody({ memberId: member.id })); // 15
    await redeem(tenant, member.id, 12).expect(201);
    const refunded = await tenant.owner.post(`/api/v1/transactions/${first.id}/refunds`).set('Idempotency-Key', 'r').send({});
    expect(refunded.body).toMatchObject({ pointsReversed: 15, debtAdded: 12, points: { balance: 0, debt: 12 } });
    const next = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'X', quantity: 1, unitPrice: rupiah(200_000) }] })); // 20, 12 repay the debt
    expect(next.points).toEqual({ balance: 8, pending: 0, debt: 0 });

    const report = (await tenant.owner.get('/api/v1/reports/points-liability')).body;
    expect(report.outstanding).toMatchObject({ points: 8, debt: 0 });
    // Everything happened this month, from nothing: what came in less what went out is what is outstanding.
    const month = report.monthly.at(-1);
    expect(report.monthly).toHaveLength(12);
    expect(month.redeemed).toBe(12);
    expect(month.expired).toBe(0);
    expect(month.issued - month.redeemed - month.expired - month.reversed, JSON.stringify(month)).toBe(8);
    await expectLedgerClean(app, tenant.id);
  });

  it('values points at the tenant’s point value', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { pointValue: 25_000 });
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 12);
    const report = (await tenant.owner.get('/api/v1/reports/points-liability')).body;
    expect(report.pointValue).toBe(25_000);
    expect(report.outstanding).toMatchObject({ points: 12, value: 12 * 25_000 });
    expect(report.byTier).toEqual([{ code: 'member', name: 'Member', members: 1, points: 12, value: 12 * 25_000 }]);
    expect(report.expiring).toEqual([30, 60, 90].map((days) => ({ days, points: 0, value: 0 })));
  });

  it('is for marketers and owners, not cashiers', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    expect((await marketer.agent.get('/api/v1/reports/points-liability')).status).toBe(200);
    const refused = await cashier.agent.get('/api/v1/reports/points-liability');
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect((await app.http.get('/api/v1/reports/points-liability')).status).toBe(401);
  });
});
