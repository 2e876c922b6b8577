import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, rupiah, saleBody } from '../support/factories.ts';
import { evaluate, inDays, newPromotion } from '../support/promotions.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// What clients send to the promotion, voucher and checkout calls that the database could not keep
// or compare as sent: instants outside 1970–9999, and regions typed in another case.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const YEAR_0 = '0000-01-01T00:00:00Z';
/** UTC 10000-01-01T13:59:59Z. */
const PAST_9999 = '9999-12-31T23:59:59-14:00';
const RANGE = 'Must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';
const cart = { channel: 'store', items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(50_000) }] };

describe('instants outside 1970-01-01Z … 9999-12-31T23:59:59.999Z are 400 at their field', () => {
  it('POST /api/v1/promotions: a startsAt in year 0, an endsAt past 9999; the last millisecond of 9999 is fine and can be changed', async () => {
    const tenant = await newTenant(app);
    const promotion = { name: 'Selamanya', startsAt: new Date().toISOString(), endsAt: inDays(30), effect: { type: 'percent_off', value: 10 } };
    for (const [field, value] of [['startsAt', YEAR_0], ['endsAt', PAST_9999]] as const) {
      const res = await tenant.owner.post('/api/v1/promotions').send({ ...promotion, [field]: value });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors).toEqual([{ path: `body.${field}`, message: RANGE }]);
    }
    expect((await tenant.owner.get('/api/v1/promotions')).body.items).toEqual([]);

    const lasting = await newPromotion(tenant, { endsAt: '9999-12-31T23:59:59.999Z' });
    const changed = await tenant.owner.patch(`/api/v1/promotions/${lasting.id}`).send({ name: 'Sampai tahun 9999' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Sampai tahun 9999', endsAt: '9999-12-31T23:59:59.999Z' });
  });

  it('POST /api/v1/promotions/preview and /api/v1/earning-rules/preview: an occurredAt in year 0', async () => {
    const tenant = await newTenant(app);
    for (const path of ['/api/v1/promotions/preview', '/api/v1/earning-rules/preview']) {
      const res = await tenant.owner.post(path).send({ ...cart, occurredAt: YEAR_0 });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.occurredAt', message: RANGE }]);
    }
  });

  it('POST /api/v1/vouchers/batches: a startsAt in year 0, an expiresAt past 9999', async () => {
    const tenant = await newTenant(app);
    const batch = { count: 1, kind: 'amount', value: rupiah(10_000), expiresAt: inDays(30) };
    for (const [field, value] of [['startsAt', YEAR_0], ['expiresAt', PAST_9999]] as const) {
      const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ ...batch, [field]: value });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors).toEqual([{ path: `body.${field}`, message: RANGE }]);
    }
    expect((await tenant.owner.get('/api/v1/vouchers/batches')).body.items).toEqual([]);
  });

  it('POST /api/v1/transactions: an occurredAt in year 0', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'year-0').send(saleBody({ occurredAt: YEAR_0 }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.occurredAt', message: RANGE }]);
  });
});

describe('shipping regions are trimmed and compared regardless of case', () => {
  it('a promotion for "Jawa" applies to an order shipped to " JAWA "; the same region twice in another case is refused', async () => {
    const tenant = await newTenant(app);
    const twice = await tenant.owner.post('/api/v1/promotions').send({
      name: 'Ongkir', startsAt: new Date().toISOString(), endsAt: inDays(30), conditions: { regions: ['Jawa', ' jawa '] }, effect: { type: 'free_shipping' },
    });
    expect(twice.status, JSON.stringify(twice.body)).toBe(400);
    expect(twice.body.errors).toEqual([{ path: 'body.conditions.regions', message: 'Each region may appear only once' }]);

    const promotion = await newPromotion(tenant, { conditions: { regions: [' Jawa'] }, effect: { type: 'free_shipping' } });
    expect((await tenant.owner.get(`/api/v1/promotions/${promotion.id}`)).body.conditions).toEqual({ regions: ['Jawa'] });
    const res = await evaluate(tenant.owner, { ...cart, channel: 'online', shipping: { fee: rupiah(15_000), region: ' JAWA ' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ shipping: { fee: rupiah(15_000), discount: rupiah(15_000) }, applied: [{ source: 'promotion', id: promotion.id }] });
  });
});
