import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardCodeOf, newMember, newStaff, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { codeSentTo } from '../support/acquire.ts';
import { key, pointsOf, postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
const KOPI = { sku: 'KOPI-250', category: 'kopi', quantity: 1, unitPrice: rupiah(85_000) };
const V60 = { sku: 'V60', category: 'alat', quantity: 1, unitPrice: rupiah(175_000) };

const dripperOffer = (over: Record<string, unknown> = {}) => ({
  name: 'Kopi → dripper V60',
  kind: 'cross_sell',
  trigger: { skus: ['KOPI-250'] },
  suggestion: { sku: 'V60', name: 'Dripper V60' },
  message: { id: 'Coba seduh dengan V60, diskon Rp 20.000', en: 'Brew it with a V60, Rp 20.000 off' },
  voucher: { kind: 'amount', value: rupiah(20_000), validDays: 14 },
  bonusPoints: 30,
  startsAt: new Date(Date.now() - DAY).toISOString(),
  endsAt: new Date(Date.now() + 30 * DAY).toISOString(),
  ...over,
});

async function newOffer(tenant: Tenant, over: Record<string, unknown> = {}) {
  const res = await tenant.owner.post('/api/v1/offers').send(dripperOffer(over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

/** A member who bought coffee last week (so offers triggered by coffee apply), and their card code. */
async function coffeeBuyer(tenant: Tenant) {
  const member = await newMember(tenant);
  await postSale(tenant, saleBody({ memberId: member.id, items: [KOPI], occurredAt: new Date(Date.now() - 7 * DAY).toISOString() }));
  return { member, code: await cardCodeOf(app, tenant, member.id) };
}

const scan = (tenant: Tenant, code: string) => tenant.owner.post('/api/v1/scan').send({ code });

describe('offers: create, edit, pause', () => {
  it('creates, reads, changes, pauses and archives an offer, audit-logged', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant);
    const read = await tenant.owner.get(`/api/v1/offers/${offer.id}`);
    expect(read.body).toMatchObject({
      name: 'Kopi → dripper V60', kind: 'cross_sell', status: 'active', maxShows: 3, capDays: 7, conversionDays: 14, priority: 0,
      results: { shown: 0, reached: 0, converted: 0, conversionRate: 0, revenue: 0 },
    });
    const changed = await tenant.owner.patch(`/api/v1/offers/${offer.id}`).send({ priority: 5, message: { id: 'Pakai V60', en: 'Use a V60' } });
    expect(changed.body).toMatchObject({ priority: 5, message: { id: 'Pakai V60', en: 'Use a V60' }, name: 'Kopi → dripper V60' });
    expect((await tenant.owner.post(`/api/v1/offers/${offer.id}/pause`)).body.status).toBe('paused');
    expect((await tenant.owner.get('/api/v1/offers')).body.items).toHaveLength(1);
    expect((await tenant.owner.post(`/api/v1/offers/${offer.id}/archive`)).body.status).toBe('archived');
    expect((await tenant.owner.get('/api/v1/offers')).body.items).toHaveLength(0);
    expect((await tenant.owner.patch(`/api/v1/offers/${offer.id}`).send({ priority: 1 })).status).toBe(409);
    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: offer.id });
    expect(audit.body.items.map((a: { action: string }) => a.action).reverse()).toEqual(['offer.created', 'offer.updated', 'offer.paused', 'offer.archived']);
  });

  it('refuses what a marketer can get wrong, naming the field, and keeps offers to their tenant', async () => {
    const tenant = await newTenant(app);
    const bad = async (over: Record<string, unknown>) => (await tenant.owner.post('/api/v1/offers').send(dripperOffer(over))).body.errors?.map((e: { path: string }) => e.path);
    expect(await bad({ trigger: {} })).toEqual(['body.trigger.skus']);
    expect(await bad({ suggestion: { name: 'x' } })).toEqual(['body.suggestion.sku']);
    expect(await bad({ message: { id: 'ok', en: '' } })).toEqual(['body.message.en']);
    expect(await bad({ voucher: { kind: 'percent', validDays: 7 } })).toEqual(['body.voucher.value']);
    expect(await bad({ endsAt: new Date(Date.now() - 2 * DAY).toISOString() })).toEqual(['body.endsAt']);
    expect(await bad({ segment: 'nope' })).toEqual(['body.segment']);
    expect(await bad({ kind: 'down_sell' })).toEqual(['body.kind']);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.post('/api/v1/offers').send(dripperOffer())).status).toBe(403);
    const offer = await newOffer(tenant);
    const other = await newTenant(app);
    expect((await other.owner.get(`/api/v1/offers/${offer.id}`)).status).toBe(404);
    expect((await other.owner.post(`/api/v1/offers/${offer.id}/pause`)).status).toBe(404);
  });
});

describe('offers at the till, the web shop and the app', () => {
  it('a scan suggests the offer with the member’s personal voucher, the same voucher each time, up to the cap', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { maxShows: 2 });
    const { code } = await coffeeBuyer(tenant);
    const first = await scan(tenant, code);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.offers).toEqual([expect.objectContaining({
      id: offer.id, kind: 'cross_sell', bonusPoints: 30, suggestion: { sku: 'V60', name: 'Dripper V60' },
      voucher: expect.objectContaining({ code: expect.stringMatching(/^[0-9A-Z]{10}$/), kind: 'amount', value: rupiah(20_000) }),
    })]);
    expect(first.body.vouchers).toEqual([expect.objectContaining({ code: first.body.offers[0].voucher.code })]);
    const second = await scan(tenant, code);
    expect(second.body.offers[0].voucher.code).toBe(first.body.offers[0].voucher.code);
    expect((await scan(tenant, code)).body.offers).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}`)).body.results).toMatchObject({ shown: 2, reached: 1, converted: 0 });
  });

  it('a member who never bought the trigger gets nothing; a segment limits who does', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.post('/api/v1/segments').send({ code: 'vip', name: 'VIP', rules: { match: 'all', conditions: [{ type: 'tags', any: ['vip'] }] } }).expect(201);
    await newOffer(tenant, { segment: 'vip' });
    const stranger = await newMember(tenant);
    expect((await scan(tenant, await cardCodeOf(app, tenant, stranger.id))).body.offers).toEqual([]);
    const { member, code } = await coffeeBuyer(tenant);
    expect((await scan(tenant, code)).body.offers).toEqual([]);
    await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ tags: ['vip'] });
    expect((await scan(tenant, code)).body.offers).toHaveLength(1);
  });

  it('checkout/evaluate shows offers the cart triggers without recording them; a web shop records its showing', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant);
    const member = await newMember(tenant);
    const evaluate = (items: unknown[]) => tenant.owner.post('/api/v1/checkout/evaluate').send({ memberId: member.id, channel: 'online', items });
    const withKopi = await evaluate([KOPI]);
    expect(withKopi.status, JSON.stringify(withKopi.body)).toBe(200);
    expect(withKopi.body.offers).toEqual([expect.objectContaining({ id: offer.id, voucher: null })]);
    expect((await evaluate([KOPI, V60])).body.offers).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}`)).body.results.shown).toBe(0);

    const shown = await tenant.owner.post(`/api/v1/offers/${offer.id}/showings`).send({ memberId: member.id });
    expect(shown.status).toBe(201);
    expect(shown.body.voucher.code).toMatch(/^[0-9A-Z]{10}$/);
    expect((await evaluate([KOPI])).body.offers[0].voucher.code).toBe(shown.body.voucher.code);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}`)).body.results.shown).toBe(1);
    expect((await tenant.owner.post(`/api/v1/offers/${offer.id}/showings`).send({ memberId: '00000000-0000-4000-8000-000000000000' })).body.errors[0].path).toBe('body.memberId');
  });

  it('the member app lists the member’s offers and counts them as shown once a day', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant);
    const { member } = await coffeeBuyer(tenant);
    const phone = (await tenant.owner.get(`/api/v1/members/${member.id}`)).body.phone as string;
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    const first = await phoneApp.get('/api/v1/me/offers');
    expect(first.body.items).toEqual([expect.objectContaining({ id: offer.id, message: expect.objectContaining({ en: 'Brew it with a V60, Rp 20.000 off' }) })]);
    const again = await phoneApp.get('/api/v1/me/offers');
    expect(again.body.items[0].voucher.code).toBe(first.body.items[0].voucher.code);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}`)).body.results.shown).toBe(1);
  });
});

describe('conversions', () => {
  it('buying the suggested item converts the showing once, with its revenue and bonus points, even when bought twice', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant);
    const { member, code } = await coffeeBuyer(tenant);
    const shown = await scan(tenant, code);
    const voucherCode = shown.body.offers[0].voucher.code as string;
    const before = (await pointsOf(tenant, member.id)).balance;
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [V60, KOPI], voucherCodes: [voucherCode], scanToken: shown.body.scanToken }));
    const points = await pointsOf(tenant, member.id);
    const bonus = points.entries.items.filter((e) => e.kind === 'bonus' && e.reference === `offer:${offer.id}`);
    expect(bonus).toEqual([expect.objectContaining({ points: 30, transactionId: sale.id })]);
    expect(points.balance).toBe(before + sale.pointsEarned + 30);
    // What the V60 line paid: Rp 175.000 less its share of the Rp 20.000 voucher.
    const v60Line = sale.lines.find((l: { sku: string }) => l.sku === 'V60');
    const revenue = v60Line.amount - (v60Line.discount ?? 0);
    expect(revenue).toBeLessThan(rupiah(175_000));
    const results = await tenant.owner.get(`/api/v1/offers/${offer.id}/results`);
    expect(results.body).toMatchObject({ shown: 1, reached: 1, converted: 1, conversionRate: 1, revenue });
    expect(results.body.daily).toEqual([expect.objectContaining({ shown: 1, converted: 1, revenue })]);

    await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 1, revenue });
    expect((await pointsOf(tenant, member.id)).entries.items.filter((e) => e.reference === `offer:${offer.id}`)).toHaveLength(1);
    const history = await tenant.owner.get(`/api/v1/members/${member.id}/offers`);
    expect(history.body.items).toEqual([expect.objectContaining({ offerId: offer.id, channel: 'till', convertedAt: expect.any(String), revenue })]);
  });

  it('a purchase after the conversion window converts nothing, and a voided sale’s conversion is undone', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { conversionDays: 1, voucher: null, bonusPoints: null });
    const { member, code } = await coffeeBuyer(tenant);
    await app.deps.db.updateTable('offer_impressions').set({ shown_at: new Date(Date.now() - 3 * DAY) }).where('tenant_id', '=', tenant.id).execute();
    expect((await scan(tenant, code)).body.offers).toHaveLength(1);
    await app.deps.db.updateTable('offer_impressions').set({ shown_at: new Date(Date.now() - 3 * DAY) }).where('tenant_id', '=', tenant.id).execute();
    await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`).query({ from: new Date(Date.now() - 10 * DAY).toISOString() })).body.converted).toBe(0);

    await scan(tenant, code);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [V60] }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body.converted).toBe(1);
    expect((await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', key()).send({})).status).toBe(200);
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body.converted).toBe(0);
  });

  it('a category suggestion converts on any item of the category', async () => {
    const tenant = await newTenant(app);
    const offer = await newOffer(tenant, { kind: 'up_sell', suggestion: { category: 'alat' }, voucher: null });
    const { member, code } = await coffeeBuyer(tenant);
    await scan(tenant, code);
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'CANGKIR', category: 'alat', quantity: 2, unitPrice: rupiah(65_000) }] }));
    expect((await tenant.owner.get(`/api/v1/offers/${offer.id}/results`)).body).toMatchObject({ converted: 1, revenue: rupiah(130_000) });
  });
});
