import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { cardCodeOf, newApiKey, newMember, newStaff, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { newVoucherBatch, voucherOf } from '../support/promotions.ts';
import { postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('POST /api/v1/transactions', () => {
  it('earns points at the tenant base rate (1 point per Rp 10.000) and returns the breakdown', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const res = await tenant.owner
      .post('/api/v1/transactions')
      .set('Idempotency-Key', 'sale-1')
      .send(saleBody({ memberId: member.id, items: [
        { sku: 'KOPI', quantity: 2, unitPrice: rupiah(45_000) },
        { sku: 'TEH', quantity: 1, unitPrice: rupiah(19_999) },
      ] }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.subtotal).toBe(rupiah(109_999));
    expect(res.body.total).toBe(rupiah(109_999));
    expect(res.body.pointsEarned).toBe(10);
    expect(res.body.lines.map((l: { points: number }) => l.points)).toEqual([8, 2]);
    expect(res.body.breakdown).toEqual([{ ruleId: expect.any(String), rule: 'Poin dasar', points: 10 }]);
    expect(res.body.points).toEqual({ balance: 10, pending: 0, debt: 0 });

    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.balance).toBe(10);
    expect(points.body.entries.items).toMatchObject([{ kind: 'earn', points: 10, balanceAfter: 10 }]);
  });

  it('replays the first response for the same key and body, and posts once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const body = saleBody({ memberId: member.id });
    const first = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'k').send(body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'k').send(reordered);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.entries.items).toHaveLength(1);
    expect(points.body.balance).toBe(15);
  });

  it('answers 422 for the same key with a different body, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'k').send(saleBody({ memberId: member.id })).expect(201);
    const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'k').send(saleBody({ memberId: member.id }));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const points = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(points.body.balance).toBe(15);
  });

  it('requires an Idempotency-Key', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/transactions').send(saleBody());
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'headers.Idempotency-Key', message: 'Required' }]);
  });

  it('rejects a receipt number already posted at the store with the existing sale id', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const first = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'a').send(saleBody({ storeId: store.id, receiptNo: 'R-77' }));
    const dup = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'b').send(saleBody({ storeId: store.id, receiptNo: 'R-77' }));
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('duplicate_receipt');
    expect(dup.body.transactionId).toBe(first.body.id);
    const other = await newStore(tenant);
    await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'c').send(saleBody({ storeId: other.id, receiptNo: 'R-77' })).expect(201);
  });

  it('answers a sale sent again under a new key with the duplicate receipt, even when the first used up its voucher', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000) });
    const body = saleBody({ storeId: store.id, voucherCodes: [code] });
    const first = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'first').send(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);

    const again = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'again').send(body);
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body).toMatchObject({ code: 'duplicate_receipt', transactionId: first.body.id, errors: [{ path: 'body.receiptNo', message: 'Already posted' }] });
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 1, redemptions: [{ transactionId: first.body.id }] });
  });

  it('posts a guest sale without points', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'g').send(saleBody());
    expect(res.status).toBe(201);
    expect(res.body.memberId).toBeNull();
    expect(res.body.pointsEarned).toBe(0);
    expect(res.body.points).toBeNull();
  });

  it('names the bad field and changes nothing', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const cases: [Record<string, unknown>, string][] = [
      [{ items: [] }, 'body.items'],
      [{ items: [{ sku: 'X', quantity: 0, unitPrice: 100 }] }, 'body.items.0.quantity'],
      [{ items: [{ sku: 'X', quantity: 1, unitPrice: -5 }] }, 'body.items.0.unitPrice'],
      [{ occurredAt: new Date(Date.now() + 3600e3).toISOString() }, 'body.occurredAt'],
      [{ occurredAt: new Date(Date.now() - 31 * 86400e3).toISOString() }, 'body.occurredAt'],
      [{ memberId: 'not-a-uuid' }, 'body.memberId'],
      [{ memberId: '01a20702-1010-718e-adc5-72f8400acf2d' }, 'body.memberId'],
    ];
    for (const [override, path] of cases) {
      const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `bad-${path}-${Math.random()}`).send(saleBody({ memberId: member.id, ...override }));
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const list = await tenant.owner.get('/api/v1/transactions');
    expect(list.body.items).toHaveLength(0);
  });

  it('refuses a total that changed since the evaluation (expectedTotal)', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'e').send(saleBody({ expectedTotal: 1 }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('checkout_changed');
    expect((await tenant.owner.get('/api/v1/transactions')).body.items).toHaveLength(0);
  });

  it('spends points in a sale only with a fresh scan of the member at that store (cashier)', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const otherStore = await newStore(tenant);
    const member = await newMember(tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'opening balance' }).expect(201);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);

    const without = await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', '1').send(saleBody({ memberId: member.id, pointsToRedeem: 10 }));
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('presence_required');

    const code = await cardCodeOf(app, tenant, member.id);
    const scan = await cashier.agent.post('/api/v1/scan').send({ code });
    expect(scan.status).toBe(200);
    const other = await newMember(tenant);
    const wrongMember = await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', '2').send(saleBody({ memberId: other.id, scanToken: scan.body.scanToken, pointsToRedeem: 1 }));
    expect(wrongMember.status).toBe(403);

    const elsewhere = await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', '3').send(saleBody({ memberId: member.id, scanToken: scan.body.scanToken, pointsToRedeem: 10, storeId: otherStore.id }));
    expect(elsewhere.status).toBe(403);

    const ok = await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', '4').send(saleBody({ memberId: member.id, scanToken: scan.body.scanToken, pointsToRedeem: 10 }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Rp 150.000 less 10 points × Rp 100 = Rp 149.000 → 14 points.
    expect(ok.body.pointsValue).toBe(rupiah(1_000));
    expect(ok.body.total).toBe(rupiah(149_000));
    expect(ok.body.pointsEarned).toBe(14);
    expect(ok.body.points.balance).toBe(100 - 10 + 14);
    expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
  });

  it('gives a store-bound POS key 403 for another store', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const other = await newStore(tenant);
    const key = await newApiKey(tenant, ['pos'], store.id);
    const res = await app.http.post('/api/v1/transactions').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', 'x').send(saleBody({ storeId: other.id }));
    expect(res.status).toBe(403);
    const ok = await app.http.post('/api/v1/transactions').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', 'y').send(saleBody());
    expect(ok.status).toBe(201);
    expect(ok.body.storeId).toBe(store.id);
  });
});

describe('GET /api/v1/transactions', () => {
  it('shows a store-bound key or cashier its own store’s sales only', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const other = await newStore(tenant);
    const member = await newMember(tenant);
    const here = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, receiptNo: 'R-1' }));
    const there = await postSale(tenant, saleBody({ memberId: member.id, storeId: other.id, receiptNo: 'R-1' }));
    const key = await newApiKey(tenant, ['pos'], store.id);
    const asKey = (path: string) => app.http.get(path).set('Authorization', `Bearer ${key}`);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((t) => t.id);

    expect(ids(await asKey('/api/v1/transactions'))).toEqual([here.id]);
    expect(ids(await asKey('/api/v1/transactions?receiptNo=R-1'))).toEqual([here.id]);
    expect(ids(await cashier.agent.get('/api/v1/transactions').query({ memberId: member.id }))).toEqual([here.id]);
    const forbidden = await asKey(`/api/v1/transactions?storeId=${other.id}`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.type).toBe('application/problem+json');
    expect((await asKey(`/api/v1/transactions/${there.id}`)).status).toBe(403);
    expect((await cashier.agent.get(`/api/v1/transactions/${here.id}`)).status).toBe(200);
    expect(ids(await tenant.owner.get('/api/v1/transactions').query({ receiptNo: 'R-1' }))).toEqual([there.id, here.id]);
  });
});
