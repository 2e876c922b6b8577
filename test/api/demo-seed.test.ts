import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The app first: it loads the zod OpenAPI extension the route schemas need.
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { DEMO_MEMBER_PHONE, DEMO_PASSWORD, seedDemoIfEmpty } from '../../api/src/demo/seed.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';

// The demo seed runs only on an empty database, so this file has a PGlite of its own (never the
// suite's shared Postgres), seeded with a few members to stay quick.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ DATABASE_URL: '' });
}, 60_000);
afterAll(() => app.close());

describe('demo seed', () => {
  it('seeds a retailer a marketer and a cashier can try: promotions, vouchers and rewards that work at checkout', async () => {
    expect(await seedDemoIfEmpty(app.deps, 12)).toBe(true);
    expect(await seedDemoIfEmpty(app.deps, 12)).toBe(false);

    const owner = app.agent();
    expect((await owner.post('/api/v1/auth/login').send({ email: 'owner@demo.kartu', password: DEMO_PASSWORD })).status).toBe(200);
    const promotions = (await owner.get('/api/v1/promotions')).body.items as { name: string }[];
    expect(promotions.map((p) => p.name).sort()).toEqual(['Diskon 10% member Gold', 'Gratis ongkir se-Jawa', 'Poin ekstra Kopi Toraja']);
    expect((await owner.get('/api/v1/rewards')).body.items).toHaveLength(5);

    // A new member orders Rp 200.000 online to Bandung with Rp 25.000 shipping and the public code
    // (one use per member): Rp 20.000 off the goods (min. Rp 100.000) and free shipping up to
    // Rp 20.000 (Java, min. Rp 150.000).
    const member = await owner.post('/api/v1/members').send({ name: 'Rudi Hartono', phone: '0812 9999 0001' });
    expect(member.status).toBe(201);
    const evaluation = await owner.post('/api/v1/checkout/evaluate').send({
      memberId: member.body.id,
      channel: 'online', items: [{ sku: 'KOPI-250', quantity: 2, unitPrice: 10_000_000 }],
      shipping: { fee: 2_500_000, region: 'Jawa Barat' }, voucherCodes: ['hemat-20'],
    });
    expect(evaluation.status, JSON.stringify(evaluation.body)).toBe(200);
    expect(evaluation.body).toMatchObject({
      subtotal: 20_000_000, discount: 2_000_000, shipping: { fee: 2_500_000, discount: 2_000_000 }, total: 18_500_000, rejected: [],
    });

    const tenant = await app.deps.db.selectFrom('tenants').select('id').where('slug', '=', 'demo').executeTakeFirstOrThrow();
    const siti = await app.deps.db.selectFrom('members').select('id').where('tenant_id', '=', tenant.id).where('phone', '=', DEMO_MEMBER_PHONE).executeTakeFirstOrThrow();
    const vouchers = await app.deps.db.selectFrom('vouchers').select(['code', 'max_uses', 'uses']).where('tenant_id', '=', tenant.id).where('member_id', '=', siti.id).execute();
    expect(vouchers).toEqual([{ code: expect.stringMatching(/^[0-9A-Z]+$/), max_uses: 1, uses: 0 }]);
    // How members came: friends of members (2 of 12), a poster campaign, the web form, the till.
    const sources = await app.deps.db.selectFrom('members').select(['source', 'lifecycle_stage']).where('tenant_id', '=', tenant.id).execute();
    expect(new Set(sources.map((m) => m.source))).toEqual(new Set(['web_form', 'referral', 'campaign', 'in_store']));
    expect(new Set(sources.map((m) => m.lifecycle_stage)).size).toBeGreaterThan(1);
    expect((await owner.get('/api/v1/referrals')).body.items).toHaveLength(2);
    expect((await owner.get('/api/v1/segments')).body.items).toHaveLength(4);
    expect((await owner.get('/api/v1/offers')).body.items.map((o: { kind: string }) => o.kind).sort()).toEqual(['cross_sell', 'up_sell']);
    const sitiProfile = await owner.get(`/api/v1/members/${siti.id}/profile`);
    expect(sitiProfile.body.rfm).toMatchObject({ r: expect.any(Number), f: expect.any(Number), m: expect.any(Number) });
    expect(await verifyLedger(app.deps.db, { tenantId: tenant.id })).toMatchObject({ violations: [] });
  }, 120_000);
});
