import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { startOfLocalDay } from '../../api/src/points/policy.ts';
import { newMember, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import {
  adjust, balancesOf, expectLedgerClean, holdLedgerClockPerTest, key, lotsOf, plusDays, pointsOf, postSale, redeem, refund, setPointsPolicy,
} from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
holdLedgerClockPerTest(() => app);

const PROBLEM = 'application/problem+json';

/** 3 × Rp 35.000 + 1 × Rp 45.000 = Rp 150.000 → 15 points, split 11 + 4 by largest remainder (10.5 and 4.5; the tie goes to KAOS, first by sku). */
const twoLines = () => [
  { sku: 'KAOS', quantity: 3, unitPrice: rupiah(35_000) },
  { sku: 'TOPI', quantity: 1, unitPrice: rupiah(45_000) },
];

describe('POST /api/v1/transactions/{id}/refunds', () => {
  it('reverses the floor-cumulative share of a line: 2 of 3 units, then the last unit reverses exactly the rest', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    expect(sale.pointsEarned).toBe(15);
    expect(sale.lines.map((l: { points: number }) => l.points)).toEqual([11, 4]);
    const [kaos, topi] = sale.lines;

    const first = await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 2 }]);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // floor(11 × 2 / 3) = 7
    expect(first.body).toEqual({
      id: expect.any(String), amount: rupiah(70_000), pointsReversed: 7, pointsForgiven: 0, pointsReturned: 0, debtAdded: 0, vouchersReturned: 0,
      points: { balance: 8, pending: 0, debt: 0 },
    });

    const last = await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 1 }]);
    expect(last.status, JSON.stringify(last.body)).toBe(201);
    // floor(11 × 3 / 3) − 7 = 4: the line's reversals add up to its 11 points.
    expect(last.body).toMatchObject({ amount: rupiah(35_000), pointsReversed: 4, pointsReturned: 0, debtAdded: 0, points: { balance: 4, pending: 0, debt: 0 } });

    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body.lines).toMatchObject([
      { id: kaos.id, quantity: 3, refundedQuantity: 3, points: 11 },
      { id: topi.id, quantity: 1, refundedQuantity: 0, points: 4 },
    ]);
    expect(after.body).toMatchObject({ status: 'posted', refundedAmount: rupiah(105_000), pointsReversed: 11, pointsReturned: 0 });

    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items.map((e) => [e.kind, e.bucket, e.points, e.balanceAfter])).toEqual([
      ['reverse', 'balance', -4, 4],
      ['reverse', 'balance', -7, 8],
      ['earn', 'balance', 15, 15],
    ]);
    expect(points.entries.items.every((e) => e.transactionId === sale.id)).toBe(true);
    await expectLedgerClean(app, tenant.id);
  });

  it('refuses to refund more of a line than is left with 409 naming body.lines.N.quantity, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    const [kaos, topi] = sale.lines;
    await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 2 }]).expect(201);

    const again = await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 2 }]);
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain(PROBLEM);
    expect(again.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.lines.0.quantity']);

    // A refund of several lines is all or nothing: TOPI stays unrefunded when KAOS is too much.
    const mixed = await refund(tenant, sale.id, [{ lineId: topi.id, quantity: 1 }, { lineId: kaos.id, quantity: 2 }]);
    expect(mixed.status).toBe(409);
    expect(mixed.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.lines.1.quantity']);

    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body.lines.map((l: { refundedQuantity: number }) => l.refundedQuantity)).toEqual([2, 0]);
    expect(after.body).toMatchObject({ refundedAmount: rupiah(70_000), pointsReversed: 7 });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 8, pending: 0, debt: 0 });
    expect((await pointsOf(tenant, member.id)).entries.items).toHaveLength(2);

    const foreignLine = await refund(tenant, sale.id, [{ lineId: randomUUID(), quantity: 1 }]);
    expect(foreignLine.status).toBe(400);
    expect(foreignLine.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.lines.0.lineId']);
    await expectLedgerClean(app, tenant.id);
  });

  it('never leaks points or answers 500 when a refund names the same line twice', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    const kaos = sale.lines[0].id;
    const res = await refund(tenant, sale.id, [{ lineId: kaos, quantity: 1 }, { lineId: kaos, quantity: 1 }, { lineId: kaos, quantity: 1 }]);
    expect([201, 400], JSON.stringify(res.body)).toContain(res.status);
    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    if (res.status === 400) {
      // Refused as bad input, naming the repeated line, and nothing changed.
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.lines.1.lineId']);
      expect(after.body).toMatchObject({ refundedAmount: 0, pointsReversed: 0 });
      expect(await balancesOf(tenant, member.id)).toEqual({ balance: 15, pending: 0, debt: 0 });
    } else {
      // Taken as 3 units of the line: exactly its 11 points, not 3 × floor(11 / 3) = 9.
      expect(res.body).toMatchObject({ amount: rupiah(105_000), pointsReversed: 11, points: { balance: 4, pending: 0, debt: 0 } });
      expect(after.body.lines[0].refundedQuantity).toBe(3);
    }
    await expectLedgerClean(app, tenant.id);
  });

  it('refunds everything not refunded yet when the body has no lines, then answers 409 when nothing is left', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    const [kaos] = sale.lines;
    await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 2 }]).expect(201);

    // No body at all: the rest is 1 KAOS (11 − 7 = 4 points) and 1 TOPI (4 points).
    const rest = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', key());
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect(rest.body).toMatchObject({ amount: rupiah(80_000), pointsReversed: 8, pointsReturned: 0, debtAdded: 0, points: { balance: 0, pending: 0, debt: 0 } });

    const nothing = await refund(tenant, sale.id);
    expect(nothing.status).toBe(409);
    expect(nothing.headers['content-type']).toContain(PROBLEM);
    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body).toMatchObject({ refundedAmount: rupiah(150_000), pointsReversed: 15 });
    expect(after.body.lines.map((l: { refundedQuantity: number }) => l.refundedQuantity)).toEqual([3, 1]);
    await expectLedgerClean(app, tenant.id);
  });

  it('turns points already spent into debt, and the next sale repays the debt before the balance grows', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(sale.pointsEarned).toBe(15);
    await redeem(tenant, member.id, 12).expect(201);

    const res = await refund(tenant, sale.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // 3 points left to take, 12 owed.
    expect(res.body).toMatchObject({ amount: rupiah(150_000), pointsReversed: 15, pointsForgiven: 0, debtAdded: 12, points: { balance: 0, pending: 0, debt: 12 } });
    const owing = await pointsOf(tenant, member.id);
    expect({ balance: owing.balance, pending: owing.pending, debt: owing.debt }).toEqual({ balance: 0, pending: 0, debt: 12 });
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.points).toEqual({ balance: 0, pending: 0, debt: 12 });
    expect(owing.entries.items.slice(0, 2).map((e) => [e.kind, e.bucket, e.points])).toEqual([
      ['debt', 'debt', 12],
      ['reverse', 'balance', -3],
    ]);

    // Rp 80.000 → 8 points, all of them repay debt: the balance does not grow.
    const small = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(80_000) }] }));
    expect(small.pointsEarned).toBe(8);
    expect(small.points).toEqual({ balance: 0, pending: 0, debt: 4 });

    // Rp 200.000 → 20 points: 4 repay the rest of the debt, 16 are the member's.
    const next = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(200_000) }] }));
    expect(next.pointsEarned).toBe(20);
    expect(next.points).toEqual({ balance: 16, pending: 0, debt: 0 });

    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items.slice(0, 6).map((e) => [e.kind, e.bucket, e.points, e.balanceAfter])).toEqual([
      ['repay', 'debt', -4, 16],
      ['repay', 'balance', -4, 16],
      ['earn', 'balance', 20, 20],
      ['repay', 'debt', -8, 0],
      ['repay', 'balance', -8, 0],
      ['earn', 'balance', 8, 8],
    ]);
    const lots = await lotsOf(tenant, member.id);
    expect(lots.map((l) => [l.transactionId, l.points, l.remaining])).toEqual([[next.id, 20, 16]]);
    await expectLedgerClean(app, tenant.id);
  });

  it('neither reverses nor owes the sale’s points that expired: pointsForgiven, no debt, balance unchanged', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 50); // under the default policy: never expires
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(sale.points).toEqual({ balance: 65, pending: 0, debt: 0 });

    await expirePoints(app.deps.db, plusDays(new Date(), 400));
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 50, pending: 0, debt: 0 });

    const res = await refund(tenant, sale.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ pointsReversed: 0, pointsForgiven: 15, debtAdded: 0, points: { balance: 50, pending: 0, debt: 0 } });
    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items.map((e) => [e.kind, e.points])).toEqual([['expire', -15], ['earn', 15], ['adjust', 50]]);
    await expectLedgerClean(app, tenant.id);
  });

  it('forgives only the expired part: what was spent of the sale’s points comes from other lots', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 50); // never expires
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    // The sale's lot expires first, so it is spent first: 10 of its 15.
    await redeem(tenant, member.id, 10).expect(201);
    await expirePoints(app.deps.db, plusDays(new Date(), 400));
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 50, pending: 0, debt: 0 });

    const res = await refund(tenant, sale.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ pointsReversed: 10, pointsForgiven: 5, debtAdded: 0, points: { balance: 40, pending: 0, debt: 0 } });
    await expectLedgerClean(app, tenant.id);
  });

  it('returns points spent on the sale in proportion to the refunded value, two halves returning exactly all', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 100);
    // Rp 100.000 less 15 points × Rp 100 = Rp 98.500 → 9 points.
    const sale = await postSale(tenant, saleBody({ memberId: member.id, pointsToRedeem: 15, items: [{ sku: 'SEPATU', quantity: 2, unitPrice: rupiah(50_000) }] }));
    expect(sale).toMatchObject({ pointsValue: rupiah(1_500), total: rupiah(98_500), pointsEarned: 9, pointsRedeemed: 15 });
    expect(sale.points).toEqual({ balance: 94, pending: 0, debt: 0 });
    const [line] = sale.lines;

    // Half the value: floor(15 × 1/2) = 7 returned, floor(9 × 1/2) = 4 reversed.
    const half = await refund(tenant, sale.id, [{ lineId: line.id, quantity: 1 }]);
    expect(half.status, JSON.stringify(half.body)).toBe(201);
    expect(half.body).toMatchObject({ amount: rupiah(50_000), pointsReversed: 4, pointsReturned: 7, debtAdded: 0, points: { balance: 97, pending: 0, debt: 0 } });
    // The other half: 15 − 7 = 8 returned, 9 − 4 = 5 reversed.
    const rest = await refund(tenant, sale.id, [{ lineId: line.id, quantity: 1 }]);
    expect(rest.body).toMatchObject({ amount: rupiah(50_000), pointsReversed: 5, pointsReturned: 8, debtAdded: 0, points: { balance: 100, pending: 0, debt: 0 } });

    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body).toMatchObject({ pointsRedeemed: 15, pointsReturned: 15, pointsReversed: 9, refundedAmount: rupiah(100_000) });
    const entries = (await pointsOf(tenant, member.id)).entries.items;
    expect(entries.slice(0, 4).map((e) => [e.kind, e.points])).toEqual([['return', 8], ['reverse', -5], ['return', 7], ['reverse', -4]]);
    await expectLedgerClean(app, tenant.id);
  });

  it('takes a refund within the return window from the sale’s pending points first', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 50);
    await setPointsPolicy(tenant, { returnWindowDays: 14 });
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'JAKET', quantity: 3, unitPrice: rupiah(50_000) }] }));
    expect(sale.points).toEqual({ balance: 50, pending: 15, debt: 0 });

    const res = await refund(tenant, sale.id, [{ lineId: sale.lines[0].id, quantity: 1 }]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ pointsReversed: 5, debtAdded: 0, points: { balance: 50, pending: 10, debt: 0 } });
    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items[0]).toMatchObject({ kind: 'reverse', bucket: 'pending', points: -5 });
    expect((await lotsOf(tenant, member.id)).map((l) => [l.status, l.points, l.remaining, l.reversed])).toEqual([
      ['pending', 15, 10, 5],
      ['posted', 50, 50, 0],
    ]);
    await expectLedgerClean(app, tenant.id);
  });

  it('returns 201 with no points for a guest sale', async () => {
    const tenant = await newTenant(app);
    const sale = await postSale(tenant, saleBody());
    const res = await refund(tenant, sale.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String), amount: rupiah(150_000), pointsReversed: 0, pointsForgiven: 0, pointsReturned: 0, debtAdded: 0, vouchersReturned: 0, points: null,
    });
  });

  it('answers another retailer’s sale with 404, exactly like a missing one, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    const other = await newTenant(app);
    for (const path of ['refunds', 'void']) {
      const foreign = await other.owner.post(`/api/v1/transactions/${sale.id}/${path}`).set('Idempotency-Key', key()).send({});
      const missing = await other.owner.post(`/api/v1/transactions/${randomUUID()}/${path}`).set('Idempotency-Key', key()).send({});
      expect(foreign.status, path).toBe(404);
      expect(foreign.body).toEqual(missing.body);
    }
    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body).toMatchObject({ status: 'posted', refundedAmount: 0, pointsReversed: 0 });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 15, pending: 0, debt: 0 });
  });

  it('replays a retry with the same key and body, and refunds once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    const lines = [{ lineId: sale.lines[0].id, quantity: 1 }];
    const first = await refund(tenant, sale.id, lines, 'refund-once');
    const again = await refund(tenant, sale.id, lines, 'refund-once');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const different = await refund(tenant, sale.id, [{ lineId: sale.lines[0].id, quantity: 2 }], 'refund-once');
    expect(different.status).toBe(422);

    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body.lines[0].refundedQuantity).toBe(1);
    expect(after.body).toMatchObject({ refundedAmount: rupiah(35_000), pointsReversed: 3 }); // floor(11 / 3)
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 12, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });

  it('requires an Idempotency-Key', async () => {
    const tenant = await newTenant(app);
    const sale = await postSale(tenant, saleBody());
    const res = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).send({});
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
  });
});

describe('POST /api/v1/transactions/{id}/void', () => {
  it('undoes a sale of today entirely: its points reversed, spent points returned; then 409 for a second void or a refund', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 100);
    // Rp 150.000 less 20 points × Rp 100 = Rp 148.000 → 14 points.
    const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, pointsToRedeem: 20 }));
    expect(sale).toMatchObject({ pointsEarned: 14, pointsRedeemed: 20, points: { balance: 94, pending: 0, debt: 0 } });

    const res = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ id: sale.id, status: 'voided', pointsReversed: 14, pointsReturned: 20, vouchersReturned: 0, points: { balance: 100, pending: 0, debt: 0 } });

    const after = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(after.body).toMatchObject({ status: 'voided', pointsReversed: 14, pointsReturned: 20 });
    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items.map((e) => [e.kind, e.points, e.balanceAfter])).toEqual([
      ['return', 20, 100],
      ['reverse', -14, 80],
      ['earn', 14, 94],
      ['redeem', -20, 80],
      ['adjust', 100, 100],
    ]);

    const twice = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key());
    expect(twice.status).toBe(409);
    expect(twice.headers['content-type']).toContain(PROBLEM);
    const refundVoided = await refund(tenant, sale.id);
    expect(refundVoided.status).toBe(409);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 100, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });

  it('"today" is the store’s day in its time zone, not the tenant’s', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant, { timeZone: 'Asia/Jayapura' });
    // Today starts two hours apart in Jayapura (the store) and Jakarta (the tenant): a sale at the
    // earlier of the two midnights is of today in that zone and of yesterday in the other.
    const now = new Date();
    const storeDay = startOfLocalDay(now, 'Asia/Jayapura');
    const tenantDay = startOfLocalDay(now, 'Asia/Jakarta');
    const ofTodayAtStore = storeDay < tenantDay;
    const sale = await postSale(tenant, saleBody({ storeId: store.id, occurredAt: (ofTodayAtStore ? storeDay : tenantDay).toISOString() }));

    const res = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key());
    expect(res.status, JSON.stringify(res.body)).toBe(ofTodayAtStore ? 200 : 409);
  });

  it('refuses a sale that was partly refunded, or one of an earlier day, with 409', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: twoLines() }));
    await refund(tenant, sale.id, [{ lineId: sale.lines[1].id, quantity: 1 }]).expect(201);
    const partly = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key());
    expect(partly.status).toBe(409);

    const old = await postSale(tenant, saleBody({ memberId: member.id, occurredAt: plusDays(new Date(), -2).toISOString() }));
    const late = await tenant.owner.post(`/api/v1/transactions/${old.id}/void`).set('Idempotency-Key', key());
    expect(late.status).toBe(409);
    expect((await tenant.owner.get(`/api/v1/transactions/${old.id}`)).body.status).toBe('posted');
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 11 + 15, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });
});
