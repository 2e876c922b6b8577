import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { livePromotions } from '../../api/src/promotions/promotions.repository.ts';
import { newApiKey, newMember, newReceipt, newStaff, newStore, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { inDays, newVoucherBatch, sell, voucherOf } from '../support/promotions.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const DECEMBER = { startsAt: '2026-12-01T00:00:00+07:00', endsAt: '2026-12-31T23:59:59+07:00' };

const freeShipping = (overrides: Record<string, unknown> = {}) => ({
  name: 'Gratis ongkir Desember',
  ...DECEMBER,
  conditions: { minSpend: rupiah(150_000), channels: ['online'] },
  effect: { type: 'free_shipping', maxDiscount: rupiah(20_000) },
  ...overrides,
});

async function newPromotion(tenant: Tenant, body: Record<string, unknown> = freeShipping()) {
  const res = await tenant.owner.post('/api/v1/promotions').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string; [key: string]: unknown };
}

const promotionCount = async (tenantId: string) =>
  Number((await app.deps.db.selectFrom('promotions').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);

const auditOf = (tenantId: string) =>
  app.deps.db
    .selectFrom('audit_log').select(['action', 'actor_id', 'target_type', 'target_id', 'details'])
    .where('tenant_id', '=', tenantId).where('action', 'like', 'promotion.%').orderBy('id').execute();

describe('promotions', () => {
  it('creates each kind of effect and reads it back as sent, instants in UTC', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    expect((await tenant.owner.post('/api/v1/segments').send({ code: 'vip', name: 'VIP', rules: { match: 'all', conditions: [] } })).status).toBe(201);
    const effects = [
      { type: 'free_shipping' },
      { type: 'free_shipping', maxDiscount: rupiah(20_000) },
      { type: 'percent_off', value: 10, maxDiscount: rupiah(50_000) },
      { type: 'percent_off', value: 100 },
      { type: 'amount_off', value: rupiah(25_000) },
      { type: 'bonus_points', points: 100 },
      { type: 'bonus_points', multiplier: 1.25 },
      { type: 'bonus_points', points: 50, multiplier: 2 },
    ];
    const conditions = {
      minSpend: rupiah(150_000), tiers: ['member'], segments: ['vip'], channels: ['online'], regions: ['DKI Jakarta'],
      stores: [store.id], firstPurchaseOnly: true, daysOfWeek: [6, 7], hours: { from: '22:00', to: '02:00' },
    };
    for (const effect of effects) {
      const created = await newPromotion(tenant, { name: `Promo ${effect.type}`, ...DECEMBER, priority: 5, exclusivityGroup: 'desember', conditions, effect });
      expect(created).toEqual({
        id: expect.any(String), name: `Promo ${effect.type}`, status: 'active',
        startsAt: '2026-11-30T17:00:00.000Z', endsAt: '2026-12-31T16:59:59.000Z', priority: 5, exclusivityGroup: 'desember',
        conditions, effect, createdAt: expect.any(String), updatedAt: expect.any(String),
      });
      const read = await tenant.owner.get(`/api/v1/promotions/${created.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created);
    }
    const minimal = await newPromotion(tenant, { name: '  Diskon  ', ...DECEMBER, conditions: { regions: ['  Bali '] }, effect: { type: 'amount_off', value: 1 } });
    expect(minimal).toMatchObject({ name: 'Diskon', priority: 0, exclusivityGroup: null, conditions: { regions: ['Bali'] } });
    const bare = await newPromotion(tenant, { name: 'Tanpa syarat', ...DECEMBER, effect: { type: 'free_shipping' } });
    expect(bare.conditions).toEqual({});
  });

  describe('refuses bad input naming the field, and stores nothing', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['an end before the start', { endsAt: '2026-11-30T23:59:59+07:00' }, 'body.endsAt'],
      ['a start without a zone', { startsAt: '2026-12-01T00:00:00' }, 'body.startsAt'],
      ['no end', { endsAt: undefined }, 'body.endsAt'],
      ['an empty name', { name: '   ' }, 'body.name'],
      ['a priority out of range', { priority: 5000 }, 'body.priority'],
      ['a long exclusivity group', { exclusivityGroup: 'g'.repeat(65) }, 'body.exclusivityGroup'],
      ['percent 0', { effect: { type: 'percent_off', value: 0 } }, 'body.effect.value'],
      ['percent above 100', { effect: { type: 'percent_off', value: 101 } }, 'body.effect.value'],
      ['a fractional percent', { effect: { type: 'percent_off', value: 12.5 } }, 'body.effect.value'],
      ['a percent without its value', { effect: { type: 'percent_off' } }, 'body.effect.value'],
      ['a cap of 0', { effect: { type: 'percent_off', value: 10, maxDiscount: 0 } }, 'body.effect.maxDiscount'],
      ['a negative shipping cap', { effect: { type: 'free_shipping', maxDiscount: -100 } }, 'body.effect.maxDiscount'],
      ['an amount of 0', { effect: { type: 'amount_off', value: 0 } }, 'body.effect.value'],
      ['a fractional amount', { effect: { type: 'amount_off', value: 10.5 } }, 'body.effect.value'],
      ['an amount with a cap', { effect: { type: 'amount_off', value: 100, maxDiscount: 100 } }, 'body.effect'],
      ['bonus points with neither points nor multiplier', { effect: { type: 'bonus_points' } }, 'body.effect.points'],
      ['0 bonus points', { effect: { type: 'bonus_points', points: 0 } }, 'body.effect.points'],
      ['a multiplier of 1', { effect: { type: 'bonus_points', multiplier: 1 } }, 'body.effect.multiplier'],
      ['a multiplier above 10', { effect: { type: 'bonus_points', multiplier: 10.5 } }, 'body.effect.multiplier'],
      ['a multiplier in thousandths', { effect: { type: 'bonus_points', multiplier: 1.255 } }, 'body.effect.multiplier'],
      ['an unknown effect', { effect: { type: 'free_lunch' } }, 'body.effect.type'],
      ['no effect', { effect: undefined }, 'body.effect'],
      ['a minimum spend of 0', { conditions: { minSpend: 0 } }, 'body.conditions.minSpend'],
      ['a fractional minimum spend', { conditions: { minSpend: 1.5 } }, 'body.conditions.minSpend'],
      ['an unknown channel', { conditions: { channels: ['web'] } }, 'body.conditions.channels.0'],
      ['an empty channel list', { conditions: { channels: [] } }, 'body.conditions.channels'],
      ['a blank region', { conditions: { regions: ['  '] } }, 'body.conditions.regions.0'],
      ['a region of 101 characters', { conditions: { regions: ['r'.repeat(101)] } }, 'body.conditions.regions.0'],
      ['51 regions', { conditions: { regions: Array.from({ length: 51 }, (_, i) => `R${i}`) } }, 'body.conditions.regions'],
      ['a region twice', { conditions: { regions: ['Bali', 'Bali'] } }, 'body.conditions.regions'],
      ['segments that are not strings', { conditions: { segments: [1] } }, 'body.conditions.segments.0'],
      ['a store that is not an id', { conditions: { stores: ['TOKO-1'] } }, 'body.conditions.stores.0'],
      ['a day 8', { conditions: { daysOfWeek: [8] } }, 'body.conditions.daysOfWeek.0'],
      ['an empty hours window', { conditions: { hours: { from: '10:00', to: '10:00' } } }, 'body.conditions.hours.to'],
      ['hours that are not HH:MM', { conditions: { hours: { from: '9:00', to: '17:00' } } }, 'body.conditions.hours.from'],
      ['first purchase as a string', { conditions: { firstPurchaseOnly: 'yes' } }, 'body.conditions.firstPurchaseOnly'],
      ['a misspelt condition', { conditions: { dayOfWeek: [6] } }, 'body.conditions'],
    ];

    it.each(cases)('%s', async (_, overrides, path) => {
      const tenant = await newTenant(app);
      const res = await tenant.owner.post('/api/v1/promotions').send(freeShipping(overrides));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.type).toBe(PROBLEM);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await promotionCount(tenant.id)).toBe(0);
      expect(await auditOf(tenant.id)).toEqual([]);
    });

    it('tiers and stores must be the tenant’s own, each unknown one named', async () => {
      const tenant = await newTenant(app);
      const other = await newTenant(app);
      const ownStore = await newStore(tenant);
      const foreignStore = await newStore(other);
      await other.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: 100, earnMultiplier: 1 }).expect(201);
      const res = await tenant.owner.post('/api/v1/promotions').send(freeShipping({
        conditions: { tiers: ['member', 'gold'], stores: [ownStore.id, foreignStore.id, randomUUID()] },
      }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { path: 'body.conditions.tiers.1', message: 'No tier with code gold' },
        { path: 'body.conditions.stores.1', message: 'No such store' },
        { path: 'body.conditions.stores.2', message: 'No such store' },
      ]);
      expect(await promotionCount(tenant.id)).toBe(0);
      expect(await auditOf(tenant.id)).toEqual([]);
    });
  });

  it('patches part of a promotion and validates the promotion that results as a whole', async () => {
    const tenant = await newTenant(app);
    const promotion = await newPromotion(tenant, freeShipping({ exclusivityGroup: 'ongkir' }));
    const patch = (body: Record<string, unknown>) => tenant.owner.patch(`/api/v1/promotions/${promotion.id}`).send(body);

    const renamed = await patch({ name: 'Ongkir gratis', exclusivityGroup: null });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body).toEqual({ ...promotion, name: 'Ongkir gratis', exclusivityGroup: null, updatedAt: expect.any(String) });

    // The stored start is 1 December: an end in November is refused even though only the end is sent.
    const refusals: [Record<string, unknown>, string][] = [
      [{ endsAt: '2026-11-30T23:59:59+07:00' }, 'body.endsAt'],
      [{ startsAt: '2027-01-01T00:00:00+07:00' }, 'body.endsAt'],
      [{ effect: { type: 'percent_off', value: 150 } }, 'body.effect.value'],
      [{ effect: { type: 'bonus_points' } }, 'body.effect.points'],
      [{ conditions: { tiers: ['platinum'] } }, 'body.conditions.tiers.0'],
      [{ conditions: { stores: [randomUUID()] } }, 'body.conditions.stores.0'],
      [{ name: '' }, 'body.name'],
      [{ status: 'paused' }, 'body'],
    ];
    for (const [body, path] of refusals) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(body)).toContain(path);
    }
    expect((await tenant.owner.get(`/api/v1/promotions/${promotion.id}`)).body).toEqual(renamed.body);

    // Conditions and effect are replaced whole.
    const replaced = await patch({ conditions: { tiers: ['member'] }, effect: { type: 'percent_off', value: 10 }, endsAt: '2027-01-15T23:59:59+07:00' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ conditions: { tiers: ['member'] }, effect: { type: 'percent_off', value: 10 }, endsAt: '2027-01-15T16:59:59.000Z' });

    expect((await tenant.owner.patch(`/api/v1/promotions/${randomUUID()}`).send({ name: 'x' })).status).toBe(404);
  });

  it('pauses, resumes and archives; archived is final; repeats change nothing; the list filters by status', async () => {
    const tenant = await newTenant(app);
    const promotion = await newPromotion(tenant);
    const other = await newPromotion(tenant, freeShipping({ name: 'Lain' }));
    const act = (action: string) => tenant.owner.post(`/api/v1/promotions/${promotion.id}/${action}`);
    const statusOf = async (res: { status: number; body: { status: string } }) => [res.status, res.body.status];

    expect(await statusOf(await act('pause'))).toEqual([200, 'paused']);
    expect(await statusOf(await act('pause'))).toEqual([200, 'paused']);
    const paused = await tenant.owner.get('/api/v1/promotions?status=paused');
    expect(paused.body.items.map((p: { id: string }) => p.id)).toEqual([promotion.id]);
    expect(await statusOf(await act('resume'))).toEqual([200, 'active']);
    expect(await statusOf(await act('archive'))).toEqual([200, 'archived']);
    expect(await statusOf(await act('archive'))).toEqual([200, 'archived']);

    for (const action of ['pause', 'resume']) {
      const refused = await act(action);
      expect(refused.status).toBe(409);
      expect(refused.type).toBe(PROBLEM);
    }
    expect((await tenant.owner.patch(`/api/v1/promotions/${promotion.id}`).send({ name: 'Hidup lagi' })).status).toBe(409);
    expect((await tenant.owner.get(`/api/v1/promotions/${promotion.id}`)).body).toMatchObject({ status: 'archived', name: 'Gratis ongkir Desember' });

    const active = await tenant.owner.get('/api/v1/promotions?status=active');
    expect(active.body.items.map((p: { id: string }) => p.id)).toEqual([other.id]);
    expect((await tenant.owner.get('/api/v1/promotions?status=archived')).body.items.map((p: { id: string }) => p.id)).toEqual([promotion.id]);
    expect((await tenant.owner.get('/api/v1/promotions?status=gone')).status).toBe(400);
    expect((await tenant.owner.post(`/api/v1/promotions/${randomUUID()}/pause`)).status).toBe(404);

    expect((await auditOf(tenant.id)).map((a) => [a.action, a.actor_id, a.target_type, a.target_id, a.details])).toEqual([
      ['promotion.created', tenant.ownerId, 'promotion', promotion.id, expect.objectContaining({ name: 'Gratis ongkir Desember' })],
      ['promotion.created', tenant.ownerId, 'promotion', other.id, expect.objectContaining({ name: 'Lain' })],
      ['promotion.paused', tenant.ownerId, 'promotion', promotion.id, { from: 'active', to: 'paused' }],
      ['promotion.active', tenant.ownerId, 'promotion', promotion.id, { from: 'paused', to: 'active' }],
      ['promotion.archived', tenant.ownerId, 'promotion', promotion.id, { from: 'active', to: 'archived' }],
    ]);
  });

  it('audits an update with the promotion before it and the patch', async () => {
    const tenant = await newTenant(app);
    const promotion = await newPromotion(tenant);
    await tenant.owner.patch(`/api/v1/promotions/${promotion.id}`).send({ priority: 3 }).expect(200);
    const [created, updated] = await auditOf(tenant.id);
    expect(created.details).toEqual({ ...freeShipping() });
    expect(updated).toMatchObject({
      action: 'promotion.updated', actor_id: tenant.ownerId, target_id: promotion.id,
      details: { before: { id: promotion.id, priority: 0, effect: { type: 'free_shipping', maxDiscount: rupiah(20_000) } }, patch: { priority: 3 } },
    });
  });

  it('pages the list newest first', async () => {
    const tenant = await newTenant(app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await newPromotion(tenant, freeShipping({ name: `P${i}` }))).id);
    const first = await tenant.owner.get('/api/v1/promotions?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toBe(ids[1]);
    const second = await tenant.owner.get(`/api/v1/promotions?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });

  it('lets marketers and admin keys manage promotions; cashiers, read keys and strangers may not', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier');
    const readKey = await newApiKey(tenant, ['read']);
    const adminKey = await newApiKey(tenant, ['admin']);

    const created = await marketer.agent.post('/api/v1/promotions').send(freeShipping());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await marketer.agent.patch(`/api/v1/promotions/${id}`).send({ priority: 1 }).expect(200);
    await marketer.agent.post(`/api/v1/promotions/${id}/pause`).expect(200);
    expect((await marketer.agent.get('/api/v1/promotions')).body.items).toHaveLength(1);
    await app.http.get(`/api/v1/promotions/${id}`).set('Authorization', `Bearer ${adminKey}`).expect(200);

    const refusedCalls = [
      (a: ReturnType<typeof app.agent>) => a.get('/api/v1/promotions'),
      (a: ReturnType<typeof app.agent>) => a.get(`/api/v1/promotions/${id}`),
      (a: ReturnType<typeof app.agent>) => a.post('/api/v1/promotions').send(freeShipping()),
      (a: ReturnType<typeof app.agent>) => a.patch(`/api/v1/promotions/${id}`).send({ priority: 2 }),
      (a: ReturnType<typeof app.agent>) => a.post(`/api/v1/promotions/${id}/resume`),
      (a: ReturnType<typeof app.agent>) => a.post(`/api/v1/promotions/${id}/archive`),
    ];
    for (const refused of refusedCalls) {
      expect((await refused(cashier.agent)).status).toBe(403);
      expect((await refused(app.agent())).status).toBe(401);
    }
    expect((await app.http.get('/api/v1/promotions').set('Authorization', `Bearer ${readKey}`)).status).toBe(403);
    expect((await tenant.owner.get(`/api/v1/promotions/${id}`)).body).toMatchObject({ status: 'paused', priority: 1 });
    expect(await promotionCount(tenant.id)).toBe(1);
    expect((await auditOf(tenant.id)).map((a) => [a.action, a.actor_id])).toEqual([
      ['promotion.created', marketer.id],
      ['promotion.updated', marketer.id],
      ['promotion.paused', marketer.id],
    ]);
  });

  it('hides one tenant’s promotions from another (404, as if they did not exist)', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const promotion = await newPromotion(tenant);
    expect((await other.owner.get(`/api/v1/promotions/${promotion.id}`)).status).toBe(404);
    expect((await other.owner.patch(`/api/v1/promotions/${promotion.id}`).send({ name: 'Milik saya' })).status).toBe(404);
    for (const action of ['pause', 'resume', 'archive']) {
      expect((await other.owner.post(`/api/v1/promotions/${promotion.id}/${action}`)).status).toBe(404);
    }
    expect((await other.owner.get('/api/v1/promotions')).body).toEqual({ items: [], nextCursor: null });
    expect((await tenant.owner.get(`/api/v1/promotions/${promotion.id}`)).body).toEqual(promotion);
    expect(await auditOf(other.id)).toEqual([]);
  });

  it('livePromotions: active ones whose window holds the instant, first and last instant included', async () => {
    const tenant = await newTenant(app);
    const startsAt = '2026-12-01T00:00:00.000+07:00';
    const endsAt = '2026-12-31T23:59:59.999+07:00';
    const live = await newPromotion(tenant, freeShipping({ name: 'Live', startsAt, endsAt, priority: 1 }));
    const paused = await newPromotion(tenant, freeShipping({ name: 'Paused', startsAt, endsAt }));
    const archived = await newPromotion(tenant, freeShipping({ name: 'Archived', startsAt, endsAt }));
    await newPromotion(tenant, freeShipping({ name: 'Later', startsAt: '2026-12-31T23:59:59.999+07:00', endsAt: '2027-01-31T23:59:59+07:00' }));
    await tenant.owner.post(`/api/v1/promotions/${paused.id}/pause`).expect(200);
    await tenant.owner.post(`/api/v1/promotions/${archived.id}/archive`).expect(200);
    const other = await newTenant(app);
    await newPromotion(other, freeShipping({ startsAt, endsAt }));

    const namesAt = async (iso: string) => (await livePromotions(app.deps.db, tenant.id, new Date(iso))).map((p) => p.name);
    const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();
    expect(await namesAt(ms(startsAt, -1))).toEqual([]);
    expect(await namesAt(startsAt)).toEqual(['Live']);
    expect(await namesAt('2026-12-15T12:00:00+07:00')).toEqual(['Live']);
    expect(await namesAt(endsAt)).toEqual(['Live', 'Later']);
    expect(await namesAt(ms(endsAt, 1))).toEqual(['Later']);

    expect(await livePromotions(app.deps.db, tenant.id, new Date(startsAt))).toEqual([{
      id: live.id, name: 'Live', priority: 1, exclusivityGroup: null,
      startsAt: '2026-11-30T17:00:00.000Z', endsAt: '2026-12-31T16:59:59.999Z',
      conditions: { minSpend: rupiah(150_000), channels: ['online'] }, effect: { type: 'free_shipping', maxDiscount: rupiah(20_000) },
    }]);
  });

  it('previews a cart for marketers as checkout would price it; cashiers use checkout itself', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier');
    const member = await newMember(tenant);
    const cart = {
      memberId: member.id, channel: 'online', occurredAt: '2026-12-10T10:00:00+07:00',
      items: [{ sku: 'KOPI', quantity: 2, unitPrice: rupiah(80_000) }], shipping: { fee: rupiah(15_000), region: 'Bali' },
    };
    const res = await marketer.agent.post('/api/v1/promotions/preview').send(cart);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ subtotal: rupiah(160_000), shipping: { fee: rupiah(15_000) }, pointsToEarn: expect.any(Number) });
    expect((await cashier.agent.post('/api/v1/promotions/preview').send(cart)).status).toBe(403);
    const bad = await marketer.agent.post('/api/v1/promotions/preview').send({ ...cart, memberId: randomUUID() });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'body.memberId', message: 'No such member' }]);
  });

  it('previews the draft being edited with the live promotions, or instead of the saved one it edits, and typed voucher codes; nothing is saved', async () => {
    const tenant = await newTenant(app);
    const gold = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1 });
    expect(gold.status, JSON.stringify(gold.body)).toBe(201);
    const marketer = await newStaff(app, tenant, 'marketer');
    const member = await newMember(tenant);
    const guest = await newMember(tenant);
    const qualifying = await sell(tenant.owner, { memberId: member.id, receiptNo: newReceipt(), items: [{ sku: 'TAS', quantity: 1, unitPrice: rupiah(100_000) }] });
    expect(qualifying.body.tier, JSON.stringify(qualifying.body)).toMatchObject({ code: 'gold' });
    const window = { startsAt: new Date(Date.now() - 3600e3).toISOString(), endsAt: inDays(30) };
    const live = await newPromotion(tenant, { name: 'Diskon 10%', ...window, effect: { type: 'percent_off', value: 10 } });
    const before = await promotionCount(tenant.id);
    const { code } = await newVoucherBatch(tenant);

    const draft = freeShipping({ ...window, conditions: { minSpend: rupiah(150_000), tiers: ['gold'], channels: ['online'] } });
    const cart = {
      memberId: member.id, channel: 'online', items: [{ sku: 'KOPI', quantity: 2, unitPrice: rupiah(80_000) }], shipping: { fee: rupiah(35_000), region: 'Bali' },
    };
    const preview = async (body: Record<string, unknown>) => {
      const res = await marketer.agent.post('/api/v1/promotions/preview').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };

    // Together with the live 10% off: Rp 160.000 − 16.000 + ongkir 35.000 − 20.000 = Rp 159.000; each source is named.
    expect(await preview({ ...cart, draft })).toMatchObject({
      subtotal: rupiah(160_000), discount: rupiah(16_000), shipping: { fee: rupiah(35_000), discount: rupiah(20_000) }, total: rupiah(159_000),
      discounts: [{ source: 'promotion', id: live.id, name: 'Diskon 10%', amount: rupiah(16_000) }],
      applied: [
        { source: 'promotion', id: live.id, name: 'Diskon 10%', effect: 'percent_off', amount: rupiah(16_000) },
        { source: 'promotion', id: 'draft', name: 'Gratis ongkir Desember', effect: 'free_shipping', amount: rupiah(20_000) },
      ],
    });
    // The draft's conditions and window hold as they would once saved: not for a member below Gold, nor after it ends.
    expect(await preview({ ...cart, memberId: guest.id, draft })).toMatchObject({ shipping: { discount: 0 }, total: rupiah(179_000) });
    expect(await preview({ ...cart, draft, occurredAt: inDays(31) })).toMatchObject({ shipping: { discount: 0 }, applied: [] });
    // Without a draft, only what is live.
    expect(await preview(cart)).toMatchObject({ shipping: { discount: 0 }, total: rupiah(179_000) });

    // An edit of the live promotion stands in for it, under its id, even while it is paused.
    await tenant.owner.post(`/api/v1/promotions/${live.id}/pause`).expect(200);
    const edit = { name: 'Diskon 20%', ...window, effect: { type: 'percent_off', value: 20 } };
    expect(await preview({ ...cart, draft: edit, replaces: live.id })).toMatchObject({
      discount: rupiah(32_000), total: rupiah(163_000),
      discounts: [{ source: 'promotion', id: live.id, name: 'Diskon 20%', amount: rupiah(32_000) }],
    });

    // Voucher codes as a customer types them; an unknown one is refused as at checkout. (The 10% is
    // paused now: Rp 160.000 − 10.000 + 35.000 − 20.000.)
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const withCodes = await preview({ ...cart, draft, voucherCodes: [typed, 'NOSUCHCODE'] });
    expect(withCodes).toMatchObject({
      discount: rupiah(10_000), total: rupiah(165_000),
      applied: [{ source: 'voucher', code: typed, amount: rupiah(10_000) }, { source: 'promotion', id: 'draft' }],
      rejected: [{ code: 'NOSUCHCODE', reason: 'unknown' }],
    });

    // Nothing was saved or used.
    expect(await promotionCount(tenant.id)).toBe(before);
    expect((await tenant.owner.get(`/api/v1/promotions/${live.id}`)).body).toMatchObject({ name: 'Diskon 10%', status: 'paused' });
    expect((await voucherOf(tenant, code)).uses).toBe(0);

    // A draft the API would refuse to create is refused here, at its field.
    const bad = await marketer.agent.post('/api/v1/promotions/preview').send({ ...cart, draft: { ...draft, effect: { type: 'bonus_points', multiplier: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'body.draft.effect.multiplier', message: expect.any(String) }]);
  });
});
