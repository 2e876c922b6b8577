import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { expectLedgerClean, lastWeekdayAt, postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const BASE = { ruleId: expect.any(String), rule: 'Poin dasar' };

async function newRule(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/earning-rules').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; status: string; [k: string]: unknown };
}

const oneItem = (rp: number) => [{ sku: 'SKU-1', quantity: 1, unitPrice: rupiah(rp) }];

describe('earning rules', () => {
  it('runs a weekend ×2 campaign at one store only, by the local day, until it is paused', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const elsewhere = await newStore(tenant);
    const member = await newMember(tenant);
    const rule = await newRule(tenant, { name: 'Akhir pekan ×2', conditions: { daysOfWeek: [6, 7], stores: [store.id] }, effect: { type: 'multiplier', multiplier: 2 } });
    expect(rule).toEqual({
      id: expect.any(String), name: 'Akhir pekan ×2', status: 'active', priority: 0, exclusivityGroup: null,
      conditions: { daysOfWeek: [6, 7], stores: [store.id] }, effect: { type: 'multiplier', multiplier: 2 },
      createdAt: expect.any(String), updatedAt: expect.any(String),
    });

    // 00:30 on Saturday in Jakarta is still Friday in UTC; 00:30 on Monday is still Sunday in UTC.
    const saturday = lastWeekdayAt(6, 0, 30).toISOString();
    const sundayNight = lastWeekdayAt(7, 23, 30).toISOString();
    const monday = lastWeekdayAt(1, 0, 30).toISOString();
    const sale = (storeId: string, occurredAt: string) => postSale(tenant, saleBody({ memberId: member.id, storeId, occurredAt }));

    const weekend = await sale(store.id, saturday);
    expect(weekend.pointsEarned).toBe(30);
    expect(weekend.breakdown).toEqual([{ ...BASE, points: 15 }, { ruleId: rule.id, rule: 'Akhir pekan ×2', points: 15 }]);
    expect((await sale(store.id, sundayNight)).pointsEarned).toBe(30);
    expect((await sale(elsewhere.id, saturday)).breakdown).toEqual([{ ...BASE, points: 15 }]);
    expect((await sale(store.id, monday)).breakdown).toEqual([{ ...BASE, points: 15 }]);

    const paused = await tenant.owner.patch(`/api/v1/earning-rules/${rule.id}`).send({ status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id: rule.id, status: 'paused', conditions: { daysOfWeek: [6, 7], stores: [store.id] } });
    expect((await sale(store.id, saturday)).pointsEarned).toBe(15);
    await tenant.owner.patch(`/api/v1/earning-rules/${rule.id}`).send({ status: 'active' }).expect(200);
    expect((await sale(store.id, saturday)).pointsEarned).toBe(30);

    const audit = await app.deps.db
      .selectFrom('audit_log').select(['action', 'actor_id', 'target_type', 'target_id', 'details'])
      .where('tenant_id', '=', tenant.id).where('action', 'like', 'earning_rule.%').orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.actor_id, a.target_type, a.target_id])).toEqual([
      ['earning_rule.created', tenant.ownerId, 'earning_rule', rule.id],
      ['earning_rule.updated', tenant.ownerId, 'earning_rule', rule.id],
      ['earning_rule.updated', tenant.ownerId, 'earning_rule', rule.id],
    ]);
    expect(audit[0].details).toMatchObject({ name: 'Akhir pekan ×2', effect: { type: 'multiplier', multiplier: 2 } });
    expect(audit[1].details).toMatchObject({ before: { status: 'active' }, patch: { status: 'paused' } });
    await expectLedgerClean(app, tenant.id);
  });

  it('gives a category bonus per unit to the matching line', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const rule = await newRule(tenant, { name: 'Bonus kopi', conditions: { categories: ['kopi'] }, effect: { type: 'bonus', points: 3, per: 'unit' } });
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [
      { sku: 'K1', category: 'kopi', quantity: 2, unitPrice: rupiah(30_000) },
      { sku: 'T1', category: 'teh', quantity: 1, unitPrice: rupiah(40_000) },
    ] }));
    // Base 10 (6 + 4), bonus 3 × 2 units on the coffee line.
    expect(sale.pointsEarned).toBe(16);
    expect(sale.lines.map((l: { points: number }) => l.points)).toEqual([12, 4]);
    expect(sale.breakdown).toEqual([{ ...BASE, points: 10 }, { ruleId: rule.id, rule: 'Bonus kopi', points: 6 }]);
    const tea = await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'T1', category: 'teh', quantity: 5, unitPrice: rupiah(40_000) }] }));
    expect(tea.breakdown).toEqual([{ ...BASE, points: 20 }]);
  });

  it('gives a first-purchase bonus on the member’s first sale only', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    const rule = await newRule(tenant, { name: 'Belanja pertama', effect: { type: 'first_purchase', points: 50 } });
    const first = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(first.pointsEarned).toBe(65);
    expect(first.breakdown).toEqual([{ ...BASE, points: 15 }, { ruleId: rule.id, rule: 'Belanja pertama', points: 50 }]);
    const second = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(second.pointsEarned).toBe(15);
    expect((await postSale(tenant, saleBody({ memberId: other.id }))).pointsEarned).toBe(65);
    await expectLedgerClean(app, tenant.id);
  });

  it('shows a cap per transaction as a negative breakdown item', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const cap = await newRule(tenant, { name: 'Maks 20 poin', effect: { type: 'cap', maxPerTransaction: 20 } });
    const sale = await postSale(tenant, saleBody({ memberId: member.id, items: [
      { sku: 'A', quantity: 1, unitPrice: rupiah(200_000) },
      { sku: 'B', quantity: 1, unitPrice: rupiah(100_000) },
    ] }));
    expect(sale.pointsEarned).toBe(20);
    expect(sale.breakdown).toEqual([{ ...BASE, points: 30 }, { ruleId: cap.id, rule: 'Maks 20 poin', points: -10 }]);
    expect(sale.lines.map((l: { points: number }) => l.points)).toEqual([13, 7]); // 30 → 20 by largest remainder over 20 : 10
    expect(sale.points.balance).toBe(20);
    expect((await postSale(tenant, saleBody({ memberId: member.id }))).breakdown).toEqual([{ ...BASE, points: 15 }]);
  });

  it('applies only the larger of two multipliers sharing an exclusivity group', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const small = await newRule(tenant, { name: 'Promo ×1,5', exclusivityGroup: 'promo', effect: { type: 'multiplier', multiplier: 1.5 } });
    const big = await newRule(tenant, { name: 'Promo ×2', exclusivityGroup: 'promo', effect: { type: 'multiplier', multiplier: 2 } });
    const sale = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(sale.pointsEarned).toBe(30);
    expect(sale.breakdown).toEqual([{ ...BASE, points: 15 }, { ruleId: big.id, rule: 'Promo ×2', points: 15 }]);

    // Out of the group, both stack on the base: 15 + floor(15 × 0.5) + 15.
    await tenant.owner.patch(`/api/v1/earning-rules/${small.id}`).send({ exclusivityGroup: null }).expect(200);
    const stacked = await postSale(tenant, saleBody({ memberId: member.id }));
    expect(stacked.pointsEarned).toBe(37);
    expect(stacked.breakdown.map((b: { rule: string; points: number }) => [b.rule, b.points])).toEqual([['Poin dasar', 15], ['Promo ×1,5', 7], ['Promo ×2', 15]]);
  });

  it('previews and evaluates exactly what the sale then earns', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const member = await newMember(tenant);
    await newRule(tenant, { name: 'Akhir pekan ×2', conditions: { daysOfWeek: [6, 7], stores: [store.id] }, effect: { type: 'multiplier', multiplier: 2 } });
    await newRule(tenant, { name: 'Bonus kopi', conditions: { categories: ['kopi'] }, effect: { type: 'bonus', points: 2, per: 'line' } });
    await newRule(tenant, { name: 'Belanja pertama', effect: { type: 'first_purchase', points: 25 } });
    const items = [
      { sku: 'K1', category: 'kopi', quantity: 3, unitPrice: rupiah(27_500) },
      { sku: 'R1', category: 'roti', quantity: 2, unitPrice: rupiah(18_000) },
    ];
    const occurredAt = lastWeekdayAt(6, 10).toISOString();

    const preview = await tenant.owner.post('/api/v1/earning-rules/preview').send({ memberId: member.id, storeId: store.id, occurredAt, items });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    // Rp 118.500 → base 11; ×2 → 11 more; coffee line +2; first purchase +25.
    expect(preview.body.pointsToEarn).toBe(49);
    const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, occurredAt, items }));
    expect(sale.pointsEarned).toBe(preview.body.pointsToEarn);
    expect(sale.breakdown).toEqual(preview.body.breakdown);
    expect(sale.lines.map((l: { points: number }) => l.points)).toEqual(preview.body.lines.map((l: { points: number }) => l.points));
    expect(sale.breakdown.map((b: { rule: string; points: number }) => [b.rule, b.points])).toEqual([
      ['Poin dasar', 11], ['Akhir pekan ×2', 11], ['Bonus kopi', 2], ['Belanja pertama', 25],
    ]);

    // The till's evaluation, now, for the member's second purchase.
    const evaluation = await tenant.owner.post('/api/v1/checkout/evaluate').send({ memberId: member.id, storeId: store.id, channel: 'store', items });
    expect(evaluation.status, JSON.stringify(evaluation.body)).toBe(200);
    expect(evaluation.body).toMatchObject({ subtotal: rupiah(118_500), total: rupiah(118_500), pointsValue: 0 });
    const now = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, items }));
    expect(now.pointsEarned).toBe(evaluation.body.pointsToEarn);
    expect(now.breakdown).toEqual(evaluation.body.breakdown);
    expect(now.breakdown.some((b: { rule: string }) => b.rule === 'Belanja pertama')).toBe(false);
    await expectLedgerClean(app, tenant.id);
  });

  it('refuses bad rules with 400 naming the field, and creates nothing', async () => {
    const tenant = await newTenant(app);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ name: 'Jam', conditions: { hours: { from: '25:00', to: '10:00' } }, effect: { type: 'multiplier', multiplier: 2 } }, ['body.conditions.hours.from']],
      [{ name: 'Setengah', effect: { type: 'multiplier', multiplier: 0.5 } }, ['body.effect.multiplier']],
      // Unknown keys are refused on the object that holds them; the message names the key.
      [{ name: 'Salah eja', conditions: { dayOfWeek: [6] }, effect: { type: 'multiplier', multiplier: 2 } }, ['body.conditions']],
      [{ name: 'Hari', conditions: { daysOfWeek: [0] }, effect: { type: 'multiplier', multiplier: 2 } }, ['body.conditions.daysOfWeek.0']],
      [{ name: 'Tipe', effect: { type: 'cashback', value: 5 } }, ['body.effect.type']],
      [{ name: 'Dasar', effect: { type: 'base', spendPerPoint: 0, rounding: 'floor' } }, ['body.effect.spendPerPoint']],
      [{ name: 'Batas', effect: { type: 'cap' } }, ['body.effect.maxPerTransaction']],
    ];
    for (const [body, paths] of cases) {
      const res = await tenant.owner.post('/api/v1/earning-rules').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(res.body)).toEqual(paths);
    }
    const misspelt = await tenant.owner.post('/api/v1/earning-rules').send(cases[2][0]);
    expect(misspelt.body.errors[0].message).toContain('dayOfWeek');

    const rules = await tenant.owner.get('/api/v1/earning-rules');
    expect(rules.body.items.map((r: { name: string }) => r.name)).toEqual(['Poin dasar']);
    const base = rules.body.items[0];
    const patch = await tenant.owner.patch(`/api/v1/earning-rules/${base.id}`).send({ effect: { type: 'multiplier', multiplier: 11 } });
    expect(patch.status).toBe(400);
    expect(patch.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.effect.multiplier']);
    expect((await tenant.owner.get('/api/v1/earning-rules')).body.items[0]).toEqual(base);
  });

  it('answers another retailer’s rule with 404 on PATCH, and leaves it as it was', async () => {
    const tenant = await newTenant(app);
    const rule = await newRule(tenant, { name: 'Ganda', effect: { type: 'multiplier', multiplier: 2 } });
    const other = await newTenant(app);
    const foreign = await other.owner.patch(`/api/v1/earning-rules/${rule.id}`).send({ status: 'paused' });
    const missing = await other.owner.patch(`/api/v1/earning-rules/${randomUUID()}`).send({ status: 'paused' });
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toContain(PROBLEM);
    expect(foreign.body).toEqual(missing.body);
    const mine = (await tenant.owner.get('/api/v1/earning-rules')).body.items.find((r: { id: string }) => r.id === rule.id);
    expect(mine.status).toBe('active');
    expect((await other.owner.get('/api/v1/earning-rules')).body.items.map((r: { id: string }) => r.id)).not.toContain(rule.id);
  });

  it('lets a marketer manage rules and refuses a cashier with 403', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const body = { name: 'Ganda', effect: { type: 'multiplier', multiplier: 2 } };
    expect((await marketer.agent.post('/api/v1/earning-rules').send(body)).status).toBe(201);
    expect((await cashier.agent.post('/api/v1/earning-rules').send(body)).status).toBe(403);
    expect((await tenant.owner.get('/api/v1/earning-rules')).body.items).toHaveLength(2);
  });
});
