import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardCodeOf, newMember, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { expectLedgerClean, key, pointsOf, postSale, redeem, refund } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Issue 7 review: defects found in the offers API, each pinned by a test that failed before its fix.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
const KOPI = { sku: 'KOPI', category: 'kopi', quantity: 1, unitPrice: rupiah(50_000) };
const V60 = { sku: 'V60', category: 'alat', quantity: 1, unitPrice: rupiah(175_000) };

const offerBody = (over: Record<string, unknown> = {}) => ({
  name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI'] }, suggestion: { sku: 'V60' },
  message: { id: 'Coba V60', en: 'Try a V60' }, voucher: { kind: 'amount', value: rupiah(10_000), validDays: 7 },
  startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: new Date(Date.now() + 30 * DAY).toISOString(), ...over,
});

async function newOffer(tenant: Tenant, over: Record<string, unknown> = {}) {
  const res = await tenant.owner.post('/api/v1/offers').send(offerBody(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; startsAt: string; endsAt: string };
}

const vouchersOf = (tenant: Tenant) => app.deps.db.selectFrom('vouchers').select('id').where('tenant_id', '=', tenant.id).execute();

/** An instant written with a +14:00 offset: the same moment, but its text sorts after the UTC form of later instants. */
const at14 = (ms: number) => `${new Date(ms + 14 * 3600e3).toISOString().slice(0, 19)}+14:00`;

describe('offer windows are compared as instants, whatever their offsets', () => {
  it('POST refuses endsAt before startsAt (400, not 500) and accepts a window whose texts sort the other way', async () => {
    const tenant = await newTenant(app);
    const refused = await tenant.owner.post('/api/v1/offers').send(offerBody({ startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T12:00:00+07:00' }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.endsAt']);
    // 00:00 in Jakarta is 17:00 UTC the day before: ending at 20:00 UTC is after it.
    const accepted = await tenant.owner.post('/api/v1/offers').send(offerBody({ startsAt: '2026-12-01T00:00:00+07:00', endsAt: '2026-11-30T20:00:00Z' }));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body).toMatchObject({ startsAt: '2026-11-30T17:00:00.000Z', endsAt: '2026-11-30T20:00:00.000Z' });
  });

  it('PATCH checks endsAt against the stored startsAt as instants (400, not 500)', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant);
    const hourBefore = at14(Date.parse(offer.startsAt) - 3600e3);
    const res = await tenant.owner.patch(`/api/v1/offers/${offer.id}`).send({ endsAt: hourBefore });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.endsAt']);
    const hourAfter = await tenant.owner.patch(`/api/v1/offers/${offer.id}`).send({ endsAt: at14(Date.parse(offer.startsAt) + 3600e3) });
    expect(hourAfter.status, JSON.stringify(hourAfter.body)).toBe(200);
  });
});

describe('a web shop’s recorded showing obeys the offer’s rules', () => {
  const showing = (tenant: Tenant, offerId: string, memberId: string) => tenant.owner.post(`/api/v1/offers/${offerId}/showings`).send({ memberId });

  it('refuses a member outside the offer’s segment, an offer not live yet or over, and a member at the cap; no voucher is issued', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.post('/api/v1/segments').send({ code: 'vip', name: 'VIP', rules: { match: 'all', conditions: [{ type: 'tags', any: ['vip'] }] } }).expect(201);
    const member = await newMember(tenant);

    const vipOnly = await newOffer(tenant, { segment: 'vip' });
    const notVip = await showing(tenant, vipOnly.id, member.id);
    expect(notVip.status, JSON.stringify(notVip.body)).toBe(409);
    const later = await newOffer(tenant, { startsAt: new Date(Date.now() + DAY).toISOString() });
    expect((await showing(tenant, later.id, member.id)).status).toBe(409);
    const over = await newOffer(tenant, { startsAt: new Date(Date.now() - 3 * DAY).toISOString(), endsAt: new Date(Date.now() - DAY).toISOString() });
    expect((await showing(tenant, over.id, member.id)).status).toBe(409);
    expect(await vouchersOf(tenant)).toEqual([]);

    await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ tags: ['vip'] }).expect(200);
    expect((await showing(tenant, vipOnly.id, member.id)).status).toBe(201);

    const once = await newOffer(tenant, { maxShows: 1, voucher: null });
    expect((await showing(tenant, once.id, member.id)).status).toBe(201);
    expect((await showing(tenant, once.id, member.id)).status).toBe(409);
    expect((await tenant.owner.get(`/api/v1/offers/${once.id}`)).body.results.shown).toBe(1);
  });
});

describe('a voided sale gives back the offer’s bonus points', () => {
  it('the member’s balance after the void is what it was before the converting sale', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { bonusPoints: 500, voucher: null });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    const scan = await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(scan.body.offers.map((o: { id: string }) => o.id)).toEqual([offer.id]);
    const before = (await pointsOf(tenant, member.id)).balance;
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    expect((await pointsOf(tenant, member.id)).balance).toBe(before + sale.pointsEarned + 500);

    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key()).send({});
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body.points.balance).toBe(before);
    expect((await pointsOf(tenant, member.id)).balance).toBe(before);
    await expectLedgerClean(app, tenant.id);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 0, revenue: 0 });
  });
});

describe('a voided sale whose offer bonus was spent already', () => {
  it('leaves the member owing the bonus (debt), the ledger consistent', async () => {
    const tenant = await newTenant(app);
    await newOffer(tenant, { bonusPoints: 500, voucher: null });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) }).expect(200);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    const { balance } = await pointsOf(tenant, member.id);
    expect((await redeem(tenant, member.id, balance)).status).toBe(201);
    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key()).send({});
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body.points).toEqual({ balance: 0, pending: 0, debt: sale.pointsEarned + 500 });
    await expectLedgerClean(app, tenant.id);
  });
});

describe('a refund of the suggested item takes its conversion back', () => {
  it('a partial refund lowers the revenue; refunding the rest undoes the conversion and its bonus points', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { bonusPoints: 500, voucher: null });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) }).expect(200);
    const before = (await pointsOf(tenant, member.id)).balance;
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [{ ...V60, quantity: 2 }, KOPI] }));
    const v60 = sale.lines.find((l: { sku: string }) => l.sku === 'V60');
    const kopi = sale.lines.find((l: { sku: string }) => l.sku === 'KOPI');
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 1, revenue: rupiah(350_000) });

    expect((await refund(tenant, sale.id, [{ lineId: v60.id, quantity: 1 }])).status).toBe(201);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 1, revenue: rupiah(175_000) });
    expect((await pointsOf(tenant, member.id)).balance).toBe(before + sale.pointsEarned + 500 - Math.floor(v60.points / 2));

    const rest = await refund(tenant, sale.id, [{ lineId: v60.id, quantity: 1 }]);
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect(rest.body.pointsReversed).toBe(v60.points - Math.floor(v60.points / 2));
    expect(rest.body.points.balance).toBe(before + kopi.points);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 0, revenue: 0 });
    expect((await pointsOf(tenant, member.id)).balance).toBe(before + kopi.points);
    await expectLedgerClean(app, tenant.id);
  });
});

describe('the conversion rate', () => {
  it('is of members, so a member converting twice never makes it pass 100%', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { voucher: null });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    const code = await cardCodeOf(app, tenant, member.id);
    for (let i = 0; i < 2; i++) {
      expect((await tenant.owner.post('/api/v1/scan').send({ code })).body.offers).toHaveLength(1);
      await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    }
    expect((await tenant.owner.post('/api/v1/scan').send({ code })).body.offers).toHaveLength(1);
    const results = (await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body;
    expect(results).toMatchObject({ shown: 3, reached: 1, converted: 2, conversionRate: 1 });
    // A second member shown it who does not buy: one of two members converted.
    const other = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: other.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, other.id) }).expect(200);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}`)).body.results).toMatchObject({ shown: 4, reached: 2, converted: 2, conversionRate: 0.5 });
  });
});

describe('attribution of a purchase', () => {
  it('a line converts one offer only: two offers suggesting the same SKU do not both convert (nor both pay bonus points)', async () => {
    const tenant = await newTenant(app);
    const first = await newOffer(tenant, { name: 'V60 A', bonusPoints: 100, voucher: null });
    const second = await newOffer(tenant, { name: 'V60 B', bonusPoints: 200, voucher: null, trigger: { categories: ['kopi'] } });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    expect((await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) })).body.offers).toHaveLength(2);
    const before = (await pointsOf(tenant, member.id)).balance;
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    const results = await Promise.all([first, second].map(async (o) => (await tenant.owner.get(`/api/v1/offers/${o.id}/results`)).body));
    expect(results.map((r) => r.converted).sort()).toEqual([0, 1]);
    expect(results.reduce((sum, r) => sum + r.revenue, 0)).toBe(rupiah(175_000));
    const bonus = (await pointsOf(tenant, member.id)).balance - before - sale.pointsEarned;
    expect([100, 200]).toContain(bonus);
  });
});

describe('a till’s suggestion converts the sale rung up around it', () => {
  it('a sale the POS dates a few minutes before the scan (its start, or a clock behind) converts the showing', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { voucher: null });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) }).expect(200);
    await postSale(tenant, saleBody({ memberId: member.id, items: [V60], occurredAt: new Date(Date.now() - 5 * 60e3).toISOString() }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ shown: 1, converted: 1, revenue: rupiah(175_000) });
  });

  it('an imported sale of long ago does not convert a showing of today', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { voucher: null, startsAt: new Date(Date.now() - 10 * DAY).toISOString() });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 5 * DAY).toISOString() }));
    await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) }).expect(200);
    await postSale(tenant, saleBody({ memberId: member.id, items: [V60], occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ shown: 1, converted: 0 });
  });
});
