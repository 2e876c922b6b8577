import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { balancesOf, daysAgoAt, expectLedgerClean, key, plusMs, pointsOf, postSale, refund } from '../support/points.ts';
import { newPromotion } from '../support/promotions.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';

const claim = (tenant: Tenant, memberId: string, body: Record<string, unknown>, idempotencyKey = key()) =>
  tenant.owner.post(`/api/v1/members/${memberId}/claims`).set('Idempotency-Key', idempotencyKey).send(body);

describe('POST /api/v1/members/{id}/claims', () => {
  it('attaches a guest sale of a few days ago to the member and earns what it earned then, once', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const occurredAt = daysAgoAt(3, 11);
    // A campaign that ran at the time of the sale and is over now.
    const campaign = await tenant.owner.post('/api/v1/earning-rules').send({
      name: 'Flash ×2', conditions: { startsAt: plusMs(occurredAt, -3600e3).toISOString(), endsAt: plusMs(occurredAt, 3600e3).toISOString() },
      effect: { type: 'multiplier', multiplier: 2 },
    });
    expect(campaign.status).toBe(201);
    const guest = await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-1', occurredAt: occurredAt.toISOString(), items: [
      { sku: 'A', quantity: 2, unitPrice: rupiah(50_000) },
      { sku: 'B', quantity: 1, unitPrice: rupiah(50_000) },
    ] }));
    expect(guest).toMatchObject({ memberId: null, pointsEarned: 0, points: null });
    // Now, the same cart earns the base only.
    const today = await tenant.owner.post('/api/v1/checkout/evaluate').send({ memberId: member.id, storeId: store.id, channel: 'store', items: [{ sku: 'A', quantity: 3, unitPrice: rupiah(50_000) }] });
    expect(today.body.pointsToEarn).toBe(15);

    const res = await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-1' }, 'claim-1');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      transactionId: guest.id,
      pointsEarned: 30,
      breakdown: [{ ruleId: expect.any(String), rule: 'Poin dasar', points: 15 }, { ruleId: campaign.body.id, rule: 'Flash ×2', points: 15 }],
      points: { balance: 30, pending: 0, debt: 0 },
    });
    const sale = await tenant.owner.get(`/api/v1/transactions/${guest.id}`);
    expect(sale.body).toMatchObject({ memberId: member.id, pointsEarned: 30 });
    expect(sale.body.lines.map((l: { points: number }) => l.points)).toEqual([20, 10]);
    const points = await pointsOf(tenant, member.id);
    expect(points.entries.items).toMatchObject([{ kind: 'earn', points: 30, balanceAfter: 30, transactionId: guest.id, reference: 'G-1', note: 'claimed' }]);

    // A retry replays; a new claim by the same or another member is refused.
    const replay = await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-1' }, 'claim-1');
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(res.body);
    const again = await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-1' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain(PROBLEM);
    const other = await newMember(tenant);
    const stolen = await claim(tenant, other.id, { storeId: store.id, receiptNo: 'G-1' });
    expect(stolen.status).toBe(409);
    expect(await balancesOf(tenant, other.id)).toEqual({ balance: 0, pending: 0, debt: 0 });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 30, pending: 0, debt: 0 });

    // The claimed points are the sale's: a refund reverses them line by line.
    const back = await refund(tenant, guest.id, [{ lineId: sale.body.lines[0].id, quantity: 1 }]);
    expect(back.body).toMatchObject({ pointsReversed: 10, points: { balance: 20, pending: 0, debt: 0 } });
    await expectLedgerClean(app, tenant.id);
  });

  it('earns the bonus-points promotions live when the sale happened; the sale’s discounts stay as they were', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const occurredAt = daysAgoAt(3, 11);
    const then = { startsAt: plusMs(occurredAt, -3600e3).toISOString(), endsAt: plusMs(occurredAt, 3600e3).toISOString() };
    await newPromotion(tenant, { ...then, effect: { type: 'percent_off', value: 10 } });
    const double = await newPromotion(tenant, { ...then, name: 'Poin ganda', effect: { type: 'bonus_points', multiplier: 2 } });
    const guest = await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-6', occurredAt: occurredAt.toISOString(), items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }] }));
    expect(guest).toMatchObject({ discount: rupiah(10_000), total: rupiah(90_000), pointsEarned: 0 });

    // Rp 90.000 paid: 9 base points, and the multiplier 2 adds 9.
    const res = await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-6' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      pointsEarned: 18,
      breakdown: [{ ruleId: expect.any(String), rule: 'Poin dasar', points: 9 }, { ruleId: double.id, rule: 'Poin ganda', points: 9 }],
      points: { balance: 18, pending: 0, debt: 0 },
    });
    const sale = await tenant.owner.get(`/api/v1/transactions/${guest.id}`);
    expect(sale.body).toMatchObject({ discount: rupiah(10_000), total: rupiah(90_000), pointsEarned: 18, lines: [{ discount: rupiah(10_000), points: 18 }] });
    await expectLedgerClean(app, tenant.id);
  });

  it('refuses a guest sale that was refunded, with 409, and earns nothing', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const guest = await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-2', items: [{ sku: 'A', quantity: 2, unitPrice: rupiah(75_000) }] }));
    await refund(tenant, guest.id, [{ lineId: guest.lines[0].id, quantity: 1 }]).expect(201);
    const res = await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-2' });
    expect(res.status).toBe(409);
    expect((await tenant.owner.get(`/api/v1/transactions/${guest.id}`)).body.memberId).toBeNull();
    expect(await pointsOf(tenant, member.id)).toMatchObject({ balance: 0, entries: { items: [] } });
  });

  it('refuses a voided guest sale and a member’s own sale with 409 or 404, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const voided = await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-3' }));
    await tenant.owner.post(`/api/v1/transactions/${voided.id}/void`).set('Idempotency-Key', key()).expect(200);
    expect((await claim(tenant, member.id, { storeId: store.id, receiptNo: 'G-3' })).status).toBe(404);
    const owner = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: owner.id, storeId: store.id, receiptNo: 'M-1' }));
    expect((await claim(tenant, member.id, { storeId: store.id, receiptNo: 'M-1' })).status).toBe(409);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });
    expect(await balancesOf(tenant, owner.id)).toEqual({ balance: 15, pending: 0, debt: 0 });
  });

  it('answers 404 for a receipt that is not there (another store, another retailer, no such number)', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const otherStore = await newStore(tenant);
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-4' }));
    for (const body of [{ storeId: store.id, receiptNo: 'G-404' }, { storeId: otherStore.id, receiptNo: 'G-4' }]) {
      const res = await claim(tenant, member.id, body);
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(res.headers['content-type']).toContain(PROBLEM);
    }
    const otherTenant = await newTenant(app);
    const theirs = await newMember(otherTenant);
    const theirStore = await newStore(otherTenant);
    expect((await claim(otherTenant, theirs.id, { storeId: theirStore.id, receiptNo: 'G-4' })).status).toBe(404);
    expect((await claim(otherTenant, member.id, { storeId: theirStore.id, receiptNo: 'G-4' })).status).toBe(404);
    expect((await claim(tenant, randomUUID(), { storeId: store.id, receiptNo: 'G-4' })).status).toBe(404);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });
  });

  it('requires an Idempotency-Key, and lets a cashier claim at their store', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    await postSale(tenant, saleBody({ storeId: store.id, receiptNo: 'G-5' }));
    const without = await cashier.agent.post(`/api/v1/members/${member.id}/claims`).send({ storeId: store.id, receiptNo: 'G-5' });
    expect(without.status).toBe(400);
    expect(without.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
    const ok = await cashier.agent.post(`/api/v1/members/${member.id}/claims`).set('Idempotency-Key', key()).send({ storeId: store.id, receiptNo: 'G-5' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ pointsEarned: 15, points: { balance: 15 } });
    await expectLedgerClean(app, tenant.id);
  });
});
