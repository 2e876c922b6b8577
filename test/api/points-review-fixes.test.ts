import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { expirePoints, releasePending } from '../../api/src/ledger/ledger-jobs.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { holdLedgerClockPerTest } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
holdLedgerClockPerTest(() => app);

const day = 86400e3;

it('posts pending points of everyone even when a voided sale left an empty pending lot', async () => {
  const tenant = await newTenant(app);
  await tenant.owner.patch('/api/v1/settings/points').send({ returnWindowDays: 3 }).expect(200);
  const [voided, kept] = [await newMember(tenant), await newMember(tenant)];
  const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'v').send(saleBody({ memberId: voided.id }));
  await tenant.owner.post(`/api/v1/transactions/${sale.body.id}/void`).set('Idempotency-Key', 'void').expect(200);
  await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'k').send(saleBody({ memberId: kept.id })).expect(201);

  const released = await releasePending(app.deps.db, new Date(Date.now() + 4 * day));
  expect(released.points).toBeGreaterThanOrEqual(15);
  expect((await tenant.owner.get(`/api/v1/members/${kept.id}`)).body.points).toEqual({ balance: 15, pending: 0, debt: 0 });
  expect((await tenant.owner.get(`/api/v1/members/${voided.id}`)).body.points).toEqual({ balance: 0, pending: 0, debt: 0 });
  const stillPending = await app.deps.db.selectFrom('point_lots').select('id').where('tenant_id', '=', tenant.id).where('status', '=', 'pending').execute();
  expect(stillPending).toEqual([]);
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});

it('forgives only the sale’s own expired earnings, not expired points it gave back', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'opening' }).expect(201);
  const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 's').send(saleBody({
    memberId: member.id, pointsToRedeem: 100,
    items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }, { sku: 'B', quantity: 1, unitPrice: rupiah(100_000) }],
  }))).body;
  expect(sale.pointsEarned).toBe(19);
  await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1 }).expect(200);
  const first = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', 'r1').send({ lines: [{ lineId: sale.lines[0].id, quantity: 1 }] });
  expect(first.body).toMatchObject({ pointsReturned: 50, pointsReversed: sale.lines[0].points, pointsForgiven: 0 });
  await expirePoints(app.deps.db, new Date(Date.now() + 40 * day));

  const second = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', 'r2').send({ lines: [{ lineId: sale.lines[1].id, quantity: 1 }] });
  expect(second.status).toBe(201);
  expect(second.body).toMatchObject({ pointsForgiven: 0, pointsReversed: sale.lines[1].points, debtAdded: 0 });
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});

it('does not take a refund’s reversal from points past their date', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 's').send(saleBody({ memberId: member.id }))).body;
  await tenant.owner.post(`/api/v1/members/${member.id}/points/redemptions`).set('Idempotency-Key', 'spend').send({ points: 15 }).expect(201);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 100, reason: 'old gift' }).expect(201);
  await sql`update point_lots set expires_at = now() - interval '1 day' where tenant_id = ${tenant.id} and remaining > 0`.execute(app.deps.db);

  const refund = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', 'r').send({});
  expect(refund.body).toMatchObject({ pointsReversed: 15, debtAdded: 15, points: { balance: 0, pending: 0, debt: 15 } });
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});

it('returns exactly the points spent on a huge sale (no float rounding)', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 968_069, reason: 'big' }).expect(201);
  const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 's').send(saleBody({
    memberId: member.id, pointsToRedeem: 968_069, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(96_806_900) }],
  }))).body;
  const refund = await tenant.owner.post(`/api/v1/transactions/${sale.id}/refunds`).set('Idempotency-Key', 'r').send({});
  expect(refund.body.pointsReturned).toBe(968_069);
});

it('lets a store-bound cashier refund only its own store’s sales', async () => {
  const tenant = await newTenant(app);
  const store = await newStore(tenant);
  const cashier = await newStaff(app, tenant, 'cashier', store.id);
  const storeless = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 's').send(saleBody())).body;
  const res = await cashier.agent.post(`/api/v1/transactions/${storeless.id}/refunds`).set('Idempotency-Key', 'r').send({});
  expect(res.status).toBe(403);
  const own = (await cashier.agent.post('/api/v1/transactions').set('Idempotency-Key', 'o').send(saleBody())).body;
  expect((await cashier.agent.post(`/api/v1/transactions/${own.id}/refunds`).set('Idempotency-Key', 'r2').send({})).status).toBe(201);
});

it('pays the shipping of members whose tier has free shipping', async () => {
  const tenant = await newTenant(app);
  await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1, freeShipping: true }).expect(201);
  const member = await newMember(tenant);
  const guest = await tenant.owner.post('/api/v1/checkout/evaluate').send({ channel: 'online', items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(150_000) }], shipping: { fee: rupiah(20_000) } });
  expect(guest.body).toMatchObject({ shipping: { fee: rupiah(20_000), discount: 0 }, total: rupiah(170_000) });
  await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'up').send(saleBody({ memberId: member.id })).expect(201);
  const gold = await tenant.owner.post('/api/v1/checkout/evaluate').send({ memberId: member.id, channel: 'online', items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(150_000) }], shipping: { fee: rupiah(20_000) } });
  expect(gold.body).toMatchObject({ shipping: { fee: rupiah(20_000), discount: rupiah(20_000) }, total: rupiah(150_000), pointsToEarn: 15 });
});
