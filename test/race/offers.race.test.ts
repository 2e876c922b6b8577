import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardCodeOf, newMember, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: PGlite has one connection and cannot race.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const DAY = 86400e3;

describe('offer vouchers under concurrent scans', () => {
  it('one member scanned at several tills at once gets one voucher; many members share one batch', async () => {
    const tenant = await newTenant(app);
    const offer = await tenant.owner.post('/api/v1/offers').send({
      name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI'] }, suggestion: { sku: 'V60' },
      message: { id: 'Coba V60', en: 'Try a V60' }, voucher: { kind: 'amount', value: rupiah(10_000), validDays: 7 }, maxShows: 50,
      startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: new Date(Date.now() + DAY).toISOString(),
    });
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    const members: { id: string; code: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const member = await newMember(tenant);
      await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `k-${i}`).send(saleBody({ memberId: member.id, items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(50_000) }] })).expect(201);
      members.push({ id: member.id, code: await cardCodeOf(app, tenant, member.id) });
    }
    const sameMember = await Promise.all(Array.from({ length: concurrent(10) }, () => tenant.owner.post('/api/v1/scan').send({ code: members[0].code })));
    expect(sameMember.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const codes = new Set(sameMember.map((r) => r.body.offers[0]?.voucher?.code));
    expect(codes.size).toBe(1);

    const everyone = await Promise.all(members.slice(1).map((m) => tenant.owner.post('/api/v1/scan').send({ code: m.code })));
    expect(everyone.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const vouchers = await app.deps.db.selectFrom('vouchers').select(['member_id', 'batch_id']).where('tenant_id', '=', tenant.id).execute();
    expect(vouchers).toHaveLength(8);
    expect(new Set(vouchers.map((v) => v.member_id)).size).toBe(8);
    expect(new Set(vouchers.map((v) => v.batch_id)).size).toBe(1);
  });
});

describe('the frequency cap under concurrent showings', () => {
  it('ten scans of one member at once show an offer capped at 2 exactly twice; web-shop showings at once keep the cap too', async () => {
    const tenant = await newTenant(app);
    const create = async (over: Record<string, unknown>) => {
      const res = await tenant.owner.post('/api/v1/offers').send({
        name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI'] }, suggestion: { sku: 'V60' }, message: { id: 'Coba V60', en: 'Try a V60' },
        startsAt: new Date(Date.now() - DAY).toISOString(), endsAt: new Date(Date.now() + DAY).toISOString(), ...over,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const atTill = await create({ maxShows: 2 });
    const member = await newMember(tenant);
    await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', 'cap-k').send(saleBody({ memberId: member.id, items: [{ sku: 'KOPI', quantity: 1, unitPrice: rupiah(50_000) }] })).expect(201);
    const code = await cardCodeOf(app, tenant, member.id);
    const scans = await Promise.all(Array.from({ length: concurrent(10) }, () => tenant.owner.post('/api/v1/scan').send({ code })));
    expect(scans.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(scans.filter((r) => r.body.offers.length === 1)).toHaveLength(2);
    expect((await tenant.owner.get(`/api/v1/offers/${atTill}`)).body.results.shown).toBe(2);

    await tenant.owner.post(`/api/v1/offers/${atTill}/archive`).expect(200);
    const online = await create({ maxShows: 3, voucher: { kind: 'amount', value: rupiah(10_000), validDays: 7 } });
    const showings = await Promise.all(Array.from({ length: concurrent(8) }, () => tenant.owner.post(`/api/v1/offers/${online}/showings`).send({ memberId: member.id })));
    expect(showings.map((r) => r.status).sort()).toEqual([...Array(3).fill(201), ...Array(showings.length - 3).fill(409)]);
    expect(new Set(showings.filter((r) => r.status === 201).map((r) => r.body.voucher.code)).size).toBe(1);
    expect((await tenant.owner.get(`/api/v1/offers/${online}`)).body.results.shown).toBe(3);
  });
});

