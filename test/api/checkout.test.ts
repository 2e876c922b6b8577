import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCheckout } from '../../api/src/checkout/checkout.service.ts';
import { STACKING_ORDER } from '../../api/src/checkout/stacking.ts';
import { DomainError } from '../../api/src/shared/errors.ts';
import { cardCodeOf, newMember, newReceipt, newStaff, newStore, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { adjust, balancesOf, expectLedgerClean, refund } from '../support/points.ts';
import { evaluate, inDays, newPromotion, newVoucherBatch, salesWithReceipt, sell, voucherOf } from '../support/promotions.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Checkout with promotions and vouchers, through HTTP: /checkout/evaluate prices a cart exactly as
// POST /transactions posts it. Amounts are IDR minor units (Rp 1 = 100); every tenant starts with
// the base rule 1 point per Rp 10.000 (floor) and a point value of Rp 100.
//
// X-Forwarded-For is trusted so that the guessing-limit tests guess from their own IPs.
let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ KARTU_TRUST_PROXY: 'on' });
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const newIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;
const item = (sku: string, quantity: number, rp: number) => ({ sku, quantity, unitPrice: rupiah(rp) });

/** The fields an evaluation and a posted sale share, from a posted sale. */
const asEvaluated = (sale: Record<string, any>) => ({
  subtotal: sale.subtotal,
  discount: sale.discount,
  shipping: sale.shipping,
  pointsValue: sale.pointsValue,
  total: sale.total,
  pointsToEarn: sale.pointsEarned,
  lines: sale.lines.map((l: Record<string, unknown>) => ({ sku: l.sku, quantity: l.quantity, amount: l.amount, discount: l.discount, points: l.points })),
});

async function evaluated(agent: Tenant['owner'], body: Record<string, unknown>) {
  const res = await evaluate(agent, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function posted(agent: Tenant['owner'], body: Record<string, unknown>) {
  const res = await sell(agent, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('evaluate = post', () => {
  it('a capped percent promotion and an amount voucher: the evaluation is what the sale posts, and the voucher is used once', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const promotion = await newPromotion(tenant, { effect: { type: 'percent_off', value: 20, maxDiscount: rupiah(30_000) } });
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000) });
    // KOPI 2 × Rp 60.000 + ROTI 1 × Rp 80.000 = Rp 200.000. 20% = Rp 40.000, capped at Rp 30.000;
    // then the voucher's Rp 20.000: Rp 50.000 off, total Rp 150.000. The lines share the Rp 50.000
    // 120 : 80 (Rp 30.000 and Rp 20.000), pay Rp 90.000 and Rp 60.000, and earn 9 + 6 = 15 points.
    const cart = { memberId: member.id, items: [item('KOPI', 2, 60_000), item('ROTI', 1, 80_000)], voucherCodes: [code] };

    const voucherId = (await voucherOf(tenant, code)).id;
    const evaluation = await evaluated(tenant.owner, cart);
    expect(evaluation).toEqual({
      subtotal: rupiah(200_000),
      discounts: [
        { source: 'promotion', id: promotion.id, name: promotion.name, amount: rupiah(30_000) },
        { source: 'voucher', id: voucherId, code, amount: rupiah(20_000) },
      ],
      discount: rupiah(50_000),
      shipping: { fee: 0, discount: 0 },
      pointsValue: 0,
      total: rupiah(150_000),
      pointsToEarn: 15,
      lines: [
        { sku: 'KOPI', quantity: 2, amount: rupiah(120_000), discount: rupiah(30_000), points: 9 },
        { sku: 'ROTI', quantity: 1, amount: rupiah(80_000), discount: rupiah(20_000), points: 6 },
      ],
      breakdown: [{ ruleId: expect.any(String), rule: 'Poin dasar', points: 15 }],
      applied: [
        { source: 'promotion', id: promotion.id, name: promotion.name, effect: 'percent_off', amount: rupiah(30_000) },
        { source: 'voucher', id: voucherId, code, effect: 'amount', amount: rupiah(20_000) },
      ],
      rejected: [],
      offers: [],
    });
    expect((await voucherOf(tenant, code)).uses).toBe(0);

    const saleBody = { ...cart, receiptNo: newReceipt(), expectedTotal: evaluation.total };
    const idempotencyKey = randomUUID();
    const first = await sell(tenant.owner, saleBody, idempotencyKey);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const sale = first.body;
    const { discounts: _d, breakdown, applied, rejected: _r, offers: _o, ...sameFields } = evaluation;
    expect(asEvaluated(sale)).toEqual(sameFields);
    expect(sale.breakdown).toEqual(breakdown);
    expect(sale.applied).toEqual(applied);
    expect(sale.points).toEqual({ balance: 15, pending: 0, debt: 0 });

    const read = await tenant.owner.get(`/api/v1/transactions/${sale.id}`);
    expect(read.status).toBe(200);
    expect(asEvaluated(read.body)).toEqual(sameFields);

    // A retry with the same key replays the sale; the voucher is not used again.
    const retry = await sell(tenant.owner, saleBody, idempotencyKey);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(sale);

    expect(await voucherOf(tenant, code)).toMatchObject({
      status: 'used_up', uses: 1, maxUses: 1,
      redemptions: [{ transactionId: sale.id, amount: rupiah(20_000), status: 'redeemed' }],
    });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 15, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });

  it('rounds discounts down to whole rupiah; the lines share them to the sen', async () => {
    const tenant = await newTenant(app);
    await newPromotion(tenant, { effect: { type: 'percent_off', value: 15 } });
    // 15% of Rp 33.333 = Rp 4.999,95 → Rp 4.999 off, total Rp 28.334. The Rp 4.999 splits 2 : 1
    // over Rp 22.222 and Rp 11.111 to the sen: 333.266,67 and 166.633,33 sen, floored, and the
    // leftover sen to the larger remainder: 333.267 and 166.633 sen.
    const evaluation = await evaluated(tenant.owner, { items: [item('GULA', 2, 11_111), item('TEH', 1, 11_111)] });
    expect(evaluation).toMatchObject({ subtotal: rupiah(33_333), discount: rupiah(4_999), total: rupiah(28_334) });
    expect(evaluation.lines.map((l: { discount: number }) => l.discount)).toEqual([333_267, 166_633]);
    const sale = await posted(tenant.owner, { items: [item('GULA', 2, 11_111), item('TEH', 1, 11_111)], receiptNo: newReceipt() });
    expect(sale.lines.map((l: { discount: number }) => l.discount)).toEqual([333_267, 166_633]);
  });
});

describe('POST /api/v1/checkout/evaluate refuses codes with a reason, and changes nothing', () => {
  it('unknown, expired, not_started, min_spend, wrong_channel, wrong_store, not_eligible, used_up, not_combinable', async () => {
    const tenant = await newTenant(app);
    const [storeA, storeB] = [await newStore(tenant), await newStore(tenant)];
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    const amount = (overrides: Record<string, unknown> = {}) => newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000), ...overrides });

    const expired = await amount();
    await app.deps.db.updateTable('voucher_batches').set({ expires_at: new Date(Date.now() - 1000) })
      .where('tenant_id', '=', tenant.id).where('id', '=', expired.batchId).execute();
    const later = await amount({ startsAt: inDays(2), expiresAt: inDays(5) });
    const laterOnline = await amount({ startsAt: inDays(2), expiresAt: inDays(5), channels: ['online'] });
    const minSpend = await amount({ minSpend: rupiah(100_000) });
    const online = await amount({ channels: ['online'] });
    const storeBound = await amount({ stores: [storeA.id] });
    const othersOwn = await amount({ memberId: other.id });
    const freeTea = await newVoucherBatch(tenant, { kind: 'free_item', sku: 'TEH' });
    const used = await amount();
    const groupSmall = await amount({ exclusivityGroup: 'hemat' });
    const groupLarge = await amount({ value: rupiah(20_000), exclusivityGroup: 'hemat' });
    const twice = await amount();
    const spender = await posted(tenant.owner, { receiptNo: newReceipt(), items: [item('KOPI', 1, 50_000)], voucherCodes: [used.code] });

    const base = { memberId: member.id, storeId: storeA.id, channel: 'store', items: [item('KOPI', 1, 150_000)] };
    const check = async (codes: string[], overrides: Record<string, unknown>, rejected: { code: string; reason: string }[], appliedCodes: string[]) => {
      const body = await evaluated(tenant.owner, { ...base, ...overrides, voucherCodes: codes });
      expect(body.rejected, JSON.stringify(codes)).toEqual(rejected);
      expect(body.applied.filter((a: { source: string }) => a.source === 'voucher').map((a: { code: string }) => a.code), JSON.stringify(codes)).toEqual(appliedCodes);
      return body;
    };

    await check(['TIDAK-ADA-99'], {}, [{ code: 'TIDAK-ADA-99', reason: 'unknown' }], []);
    await check([expired.code], {}, [{ code: expired.code, reason: 'expired' }], []);
    await check([later.code], {}, [{ code: later.code, reason: 'not_started' }], []);
    // Not started comes before the wrong channel.
    await check([laterOnline.code], {}, [{ code: laterOnline.code, reason: 'not_started' }], []);

    // Minimum spend Rp 100.000, compared inclusively with the goods: Rp 99.999 is one rupiah short.
    await check([minSpend.code], { items: [item('KOPI', 1, 99_999)] }, [{ code: minSpend.code, reason: 'min_spend' }], []);
    const atMinimum = await check([minSpend.code], { items: [item('KOPI', 1, 100_000)] }, [], [minSpend.code]);
    expect(atMinimum).toMatchObject({ discount: rupiah(10_000), total: rupiah(90_000) });

    await check([online.code], {}, [{ code: online.code, reason: 'wrong_channel' }], []);
    await check([online.code], { channel: 'online' }, [], [online.code]);

    await check([storeBound.code], { storeId: storeB.id }, [{ code: storeBound.code, reason: 'wrong_store' }], []);
    await check([storeBound.code], { storeId: undefined }, [{ code: storeBound.code, reason: 'wrong_store' }], []);
    await check([storeBound.code], {}, [], [storeBound.code]);

    // Another member's personal code, also for a guest; a free item that is not in the cart.
    await check([othersOwn.code], {}, [{ code: othersOwn.code, reason: 'not_eligible' }], []);
    await check([othersOwn.code], { memberId: undefined }, [{ code: othersOwn.code, reason: 'not_eligible' }], []);
    await check([othersOwn.code], { memberId: other.id }, [], [othersOwn.code]);
    await check([freeTea.code], {}, [{ code: freeTea.code, reason: 'not_eligible' }], []);
    const withTea = await check([freeTea.code], { items: [item('KOPI', 1, 150_000), item('TEH', 2, 12_000)] }, [], [freeTea.code]);
    expect(withTea).toMatchObject({ discount: rupiah(12_000), lines: [{ sku: 'KOPI', discount: 0 }, { sku: 'TEH', discount: rupiah(12_000) }] });

    await check([used.code], {}, [{ code: used.code, reason: 'used_up' }], []);

    // Two codes of one exclusivity group: the larger discount wins, whatever the order typed.
    const grouped = await check([groupSmall.code, groupLarge.code], {}, [{ code: groupSmall.code, reason: 'not_combinable' }], [groupLarge.code]);
    expect(grouped).toMatchObject({ discount: rupiah(20_000), total: rupiah(130_000) });
    await check([groupLarge.code, groupSmall.code], {}, [{ code: groupSmall.code, reason: 'not_combinable' }], [groupLarge.code]);

    // The same code twice, however it is typed, is used once.
    await check([twice.code, twice.code], {}, [{ code: twice.code, reason: 'not_combinable' }], [twice.code]);
    const typed = twice.code.toLowerCase().match(/.{1,5}/g)!.join('-');
    const once = await check([twice.code, typed], {}, [{ code: typed, reason: 'not_combinable' }], [twice.code]);
    expect(once).toMatchObject({ discount: rupiah(10_000), total: rupiah(140_000) });

    // Refused codes come back in the order given, each with its own reason.
    await check([used.code, 'TIDAK-ADA-98', online.code, twice.code], {}, [
      { code: used.code, reason: 'used_up' },
      { code: 'TIDAK-ADA-98', reason: 'unknown' },
      { code: online.code, reason: 'wrong_channel' },
    ], [twice.code]);

    for (const code of [expired, later, laterOnline, minSpend, online, storeBound, othersOwn, freeTea, groupSmall, groupLarge, twice].map((v) => v.code)) {
      expect(await voucherOf(tenant, code), code).toMatchObject({ uses: 0, redemptions: [] });
    }
    expect((await voucherOf(tenant, used.code)).redemptions).toMatchObject([{ transactionId: spender.id }]);
    expect((await tenant.owner.get('/api/v1/transactions')).body.items.map((t: { id: string }) => t.id)).toEqual([spender.id]);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });
  });
});

describe('a sale with a refused code', () => {
  it('is 409 voucher_rejected naming each refused code at body.voucherCodes.<i>; nothing is posted or spent', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 100);
    const good = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000) });
    const expired = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000) });
    await app.deps.db.updateTable('voucher_batches').set({ expires_at: new Date(Date.now() - 1000) })
      .where('tenant_id', '=', tenant.id).where('id', '=', expired.batchId).execute();
    const receiptNo = newReceipt();
    const sale = { memberId: member.id, receiptNo, items: [item('SEPATU', 1, 300_000)], pointsToRedeem: 10 };

    const refused = await sell(tenant.owner, { ...sale, voucherCodes: [good.code, expired.code, 'TIDAK-ADA-77'] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.type).toBe(PROBLEM);
    expect(refused.body).toMatchObject({
      code: 'voucher_rejected',
      rejected: [{ code: expired.code, reason: 'expired' }, { code: 'TIDAK-ADA-77', reason: 'unknown' }],
      errors: [{ path: 'body.voucherCodes.1', message: 'expired' }, { path: 'body.voucherCodes.2', message: 'unknown' }],
    });
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);
    expect(await voucherOf(tenant, good.code)).toMatchObject({ uses: 0, redemptions: [] });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 100, pending: 0, debt: 0 });

    // The same sale with only the good code posts: Rp 300.000 − Rp 10.000 − 10 points (Rp 1.000) = Rp 289.000 → 28 points.
    const ok = await posted(tenant.owner, { ...sale, voucherCodes: [good.code] });
    expect(ok).toMatchObject({ discount: rupiah(10_000), pointsValue: rupiah(1_000), total: rupiah(289_000), pointsEarned: 28 });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 100 - 10 + 28, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
  });
});

describe('a sale with the same code twice', () => {
  it('names the second one, the one refused, at body.voucherCodes.1', async () => {
    const tenant = await newTenant(app);
    const { code } = await newVoucherBatch(tenant);
    const receiptNo = newReceipt();
    const evaluation = await evaluated(tenant.owner, { items: [item('KOPI', 1, 50_000)], voucherCodes: [code, code] });
    expect(evaluation.applied).toMatchObject([{ source: 'voucher', code }]);
    expect(evaluation.rejected).toEqual([{ code, reason: 'not_combinable' }]);

    const refused = await sell(tenant.owner, { receiptNo, items: [item('KOPI', 1, 50_000)], voucherCodes: [code, code] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voucher_rejected', rejected: [{ code, reason: 'not_combinable' }] });
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);
    expect((await voucherOf(tenant, code)).uses).toBe(0);
    expect(refused.body.errors).toEqual([{ path: 'body.voucherCodes.1', message: 'not_combinable' }]);
  });
});

describe('expectedTotal', () => {
  it('a voucher used up since the evaluation changes the total: 409 checkout_changed with the new total and the refused code; nothing is posted', async () => {
    const tenant = await newTenant(app);
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000) });
    const cart = { items: [item('TAS', 1, 100_000)], voucherCodes: [code] };
    const evaluation = await evaluated(tenant.owner, cart);
    expect(evaluation.total).toBe(rupiah(80_000));

    const first = await posted(tenant.owner, { ...cart, receiptNo: newReceipt() });
    const receiptNo = newReceipt();
    const late = await sell(tenant.owner, { ...cart, receiptNo, expectedTotal: evaluation.total });
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect(late.body).toMatchObject({ code: 'checkout_changed', total: rupiah(100_000), rejected: [{ code, reason: 'used_up' }] });
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 1, redemptions: [{ transactionId: first.id }] });
  });

  it('a refused code the evaluation showed refused: with the total it showed the sale posts, the code unused and in `rejected`; without expectedTotal it is 409', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const good = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000) });
    const cart = { memberId: member.id, items: [item('TAS', 1, 100_000)], voucherCodes: [good.code, 'TIDAK-ADA-55'] };
    const evaluation = await evaluated(tenant.owner, cart);
    expect(evaluation).toMatchObject({ total: rupiah(90_000), rejected: [{ code: 'TIDAK-ADA-55', reason: 'unknown' }] });

    const refused = await sell(tenant.owner, { ...cart, receiptNo: newReceipt() });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voucher_rejected', rejected: [{ code: 'TIDAK-ADA-55', reason: 'unknown' }] });

    const sale = await posted(tenant.owner, { ...cart, receiptNo: newReceipt(), expectedTotal: evaluation.total });
    expect(sale).toMatchObject({ total: rupiah(90_000), pointsEarned: 9, rejected: [{ code: 'TIDAK-ADA-55', reason: 'unknown' }] });
    expect(sale.applied).toEqual(evaluation.applied);
    expect(await voucherOf(tenant, good.code)).toMatchObject({ uses: 1, redemptions: [{ transactionId: sale.id }] });
    // A sale without refused codes says so.
    expect((await posted(tenant.owner, { memberId: member.id, items: cart.items, receiptNo: newReceipt() })).rejected).toEqual([]);
    await expectLedgerClean(app, tenant.id);
  });

  it('a promotion paused since the evaluation changes the total: 409 checkout_changed with the new total; nothing is posted', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const promotion = await newPromotion(tenant, { effect: { type: 'percent_off', value: 10 } });
    const cart = { memberId: member.id, items: [item('TAS', 1, 100_000)] };
    const evaluation = await evaluated(tenant.owner, cart);
    expect(evaluation.total).toBe(rupiah(90_000));
    await tenant.owner.post(`/api/v1/promotions/${promotion.id}/pause`).expect(200);

    const receiptNo = newReceipt();
    const changed = await sell(tenant.owner, { ...cart, receiptNo, expectedTotal: evaluation.total });
    expect(changed.status, JSON.stringify(changed.body)).toBe(409);
    expect(changed.type).toBe(PROBLEM);
    expect(changed.body).toMatchObject({ code: 'checkout_changed', total: rupiah(100_000) });
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });

    const sale = await posted(tenant.owner, { ...cart, receiptNo, expectedTotal: rupiah(100_000) });
    expect(sale).toMatchObject({ total: rupiah(100_000), pointsEarned: 10 });
  });
});

describe('points', () => {
  it('are earned on what is paid after discounts and after points spent', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 100);
    await newPromotion(tenant, { effect: { type: 'percent_off', value: 50 } });
    const cart = { memberId: member.id, items: [item('JAKET', 1, 200_000)] };

    // Rp 200.000 − 50% = Rp 100.000 paid → 10 points.
    const plain = await evaluated(tenant.owner, cart);
    expect(plain).toMatchObject({ subtotal: rupiah(200_000), discount: rupiah(100_000), pointsValue: 0, total: rupiah(100_000), pointsToEarn: 10 });
    const first = await posted(tenant.owner, { ...cart, receiptNo: newReceipt(), expectedTotal: plain.total });
    expect(first).toMatchObject({ total: rupiah(100_000), pointsEarned: 10, points: { balance: 110 } });

    // 50 points × Rp 100 = Rp 5.000 paid with points: Rp 95.000 paid → 9 points.
    const spending = { ...cart, pointsToRedeem: 50 };
    const withPoints = await evaluated(tenant.owner, spending);
    expect(withPoints).toMatchObject({ discount: rupiah(100_000), pointsValue: rupiah(5_000), total: rupiah(95_000), pointsToEarn: 9 });
    const second = await posted(tenant.owner, { ...spending, receiptNo: newReceipt(), expectedTotal: withPoints.total });
    expect(asEvaluated(second)).toMatchObject({ pointsValue: rupiah(5_000), total: rupiah(95_000), pointsToEarn: 9 });
    expect(second.pointsRedeemed).toBe(50);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 100 + 10 - 50 + 9, pending: 0, debt: 0 });

    // Points pay for the goods left after discounts, not more: Rp 100.000 is 1.000 points.
    await adjust(tenant, member.id, 1_000);
    const tooMany = await evaluate(tenant.owner, { ...cart, pointsToRedeem: 1_001 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ path: 'body.pointsToRedeem', message: expect.any(String) }]);
    expect((await evaluated(tenant.owner, { ...cart, pointsToRedeem: 1_000 })).total).toBe(0);
    await expectLedgerClean(app, tenant.id);
  });

  it('a guest cannot pay with points: the evaluation refuses it as the sale does (400 body.pointsToRedeem)', async () => {
    const tenant = await newTenant(app);
    const cart = { items: [item('JAKET', 1, 200_000)], pointsToRedeem: 10 };
    const receiptNo = newReceipt();
    const sale = await sell(tenant.owner, { ...cart, receiptNo });
    expect(sale.status).toBe(400);
    expect(sale.body.errors).toEqual([{ path: 'body.pointsToRedeem', message: expect.any(String) }]);
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);

    const evaluation = await evaluate(tenant.owner, cart);
    expect(evaluation.status, JSON.stringify(evaluation.body)).toBe(400);
    expect(evaluation.body.errors).toEqual([{ path: 'body.pointsToRedeem', message: expect.any(String) }]);
  });

  it('bonus-points promotions: fixed points once per sale and a multiplier on the base, shown in the breakdown; a guest gets none', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const bonus = await newPromotion(tenant, { name: 'Bonus 50', effect: { type: 'bonus_points', points: 50 } });
    const double = await newPromotion(tenant, { name: 'Poin ganda', effect: { type: 'bonus_points', multiplier: 2 } });
    const cart = { memberId: member.id, items: [item('SEPATU', 1, 100_000)] };

    // Rp 100.000 → base 10; the multiplier 2 adds floor(10 × (2 − 1)) = 10; the bonus 50: 70 points.
    const evaluation = await evaluated(tenant.owner, cart);
    expect(evaluation).toMatchObject({ discount: 0, total: rupiah(100_000), pointsToEarn: 70 });
    expect(evaluation.breakdown).toEqual([
      { ruleId: expect.any(String), rule: 'Poin dasar', points: 10 },
      { ruleId: double.id, rule: 'Poin ganda', points: 10 },
      { ruleId: bonus.id, rule: 'Bonus 50', points: 50 },
    ]);
    expect(evaluation.applied).toEqual([
      { source: 'promotion', id: bonus.id, name: 'Bonus 50', effect: 'bonus_points', amount: 0 },
      { source: 'promotion', id: double.id, name: 'Poin ganda', effect: 'bonus_points', amount: 0 },
    ]);

    const sale = await posted(tenant.owner, { ...cart, receiptNo: newReceipt() });
    expect(sale.pointsEarned).toBe(70);
    expect(sale.breakdown).toEqual(evaluation.breakdown);
    expect(sale.applied).toEqual(evaluation.applied);
    expect(sale.points).toEqual({ balance: 70, pending: 0, debt: 0 });

    const guest = await evaluated(tenant.owner, { items: cart.items });
    expect(guest).toMatchObject({ total: rupiah(100_000), pointsToEarn: 0, breakdown: [], applied: [] });
    const guestSale = await posted(tenant.owner, { items: cart.items, receiptNo: newReceipt() });
    expect(guestSale).toMatchObject({ pointsEarned: 0, applied: [], points: null });
    await expectLedgerClean(app, tenant.id);
  });
});

describe('shipping', () => {
  it('a free-shipping promotion online in Jawa, at most Rp 20.000; goods discounts never touch shipping', async () => {
    const tenant = await newTenant(app);
    const promotion = await newPromotion(tenant, {
      conditions: { channels: ['online'], regions: ['Jawa'] },
      effect: { type: 'free_shipping', maxDiscount: rupiah(20_000) },
    });
    const goods = [item('BUKU', 1, 100_000)];
    const priced = (channel: string, fee: number, region?: string, voucherCodes?: string[]) =>
      evaluated(tenant.owner, { channel, items: goods, shipping: { fee: rupiah(fee), region }, voucherCodes });

    // Fee Rp 35.000: Rp 20.000 off, Rp 15.000 to pay.
    expect(await priced('online', 35_000, 'Jawa')).toMatchObject({
      subtotal: rupiah(100_000), discount: 0, shipping: { fee: rupiah(35_000), discount: rupiah(20_000) }, total: rupiah(115_000),
      applied: [{ source: 'promotion', id: promotion.id, effect: 'free_shipping', amount: rupiah(20_000) }],
    });
    for (const [channel, region] of [['store', 'Jawa'], ['online', 'Bali'], ['online', undefined]] as const) {
      expect(await priced(channel, 35_000, region), `${channel} ${region}`).toMatchObject({
        shipping: { fee: rupiah(35_000), discount: 0 }, total: rupiah(135_000), applied: [],
      });
    }
    // A fee under the cap is waived whole.
    expect(await priced('online', 15_000, 'Jawa')).toMatchObject({ shipping: { fee: rupiah(15_000), discount: rupiah(15_000) }, total: rupiah(100_000) });

    // 100% off the goods leaves the shipping: Rp 35.000 − Rp 20.000 = Rp 15.000 to pay.
    const { code } = await newVoucherBatch(tenant, { kind: 'percent', value: 100 });
    const all = await priced('online', 35_000, 'Jawa', [code]);
    expect(all).toMatchObject({ discount: rupiah(100_000), shipping: { fee: rupiah(35_000), discount: rupiah(20_000) }, total: rupiah(15_000) });
    const sale = await posted(tenant.owner, { channel: 'online', items: goods, shipping: { fee: rupiah(35_000), region: 'Jawa' }, voucherCodes: [code], receiptNo: newReceipt() });
    expect(asEvaluated(sale)).toMatchObject({ discount: rupiah(100_000), shipping: { fee: rupiah(35_000), discount: rupiah(20_000) }, total: rupiah(15_000) });
    expect(asEvaluated((await tenant.owner.get(`/api/v1/transactions/${sale.id}`)).body).shipping).toEqual({ fee: rupiah(35_000), discount: rupiah(20_000) });
  });

  it('a tier with free shipping waives the whole fee as source tier, outranking promotions; a free-shipping voucher is then not_combinable and not used', async () => {
    const tenant = await newTenant(app);
    const gold = await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1, freeShipping: true });
    expect(gold.status, JSON.stringify(gold.body)).toBe(201);
    const member = await newMember(tenant);
    const qualifying = await posted(tenant.owner, { memberId: member.id, items: [item('TAS', 1, 100_000)], receiptNo: newReceipt() });
    expect(qualifying.tier).toMatchObject({ code: 'gold' });
    const promotion = await newPromotion(tenant, { priority: 1000, effect: { type: 'free_shipping' } });
    const { code } = await newVoucherBatch(tenant, { kind: 'free_shipping' });
    const cart = { memberId: member.id, channel: 'online', items: [item('BUKU', 1, 50_000)], shipping: { fee: rupiah(35_000), region: 'Bali' } };

    const evaluation = await evaluated(tenant.owner, { ...cart, voucherCodes: [code] });
    expect(evaluation).toMatchObject({
      shipping: { fee: rupiah(35_000), discount: rupiah(35_000) }, total: rupiah(50_000),
      applied: [{ source: 'tier', id: 'tier:gold', effect: 'free_shipping', amount: rupiah(35_000) }],
      rejected: [{ code, reason: 'not_combinable' }],
    });
    expect(evaluation.applied).toHaveLength(1);

    const receiptNo = newReceipt();
    const refused = await sell(tenant.owner, { ...cart, voucherCodes: [code], receiptNo });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voucher_rejected', rejected: [{ code, reason: 'not_combinable' }] });
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 0, redemptions: [] });

    // The till posts what it evaluated: the tier's free shipping, the voucher left unused.
    const sale = await posted(tenant.owner, { ...cart, voucherCodes: [code], receiptNo, expectedTotal: evaluation.total });
    expect(sale).toMatchObject({ shipping: { fee: rupiah(35_000), discount: rupiah(35_000) }, total: rupiah(50_000), rejected: [{ code, reason: 'not_combinable' }] });
    expect(sale.applied).toEqual([{ source: 'tier', id: 'tier:gold', name: 'Gold', effect: 'free_shipping', amount: rupiah(35_000) }]);
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 0, redemptions: [] });

    // A guest has no tier: the promotion gives the free shipping.
    const guest = await evaluated(tenant.owner, { ...cart, memberId: undefined });
    expect(guest.applied).toEqual([{ source: 'promotion', id: promotion.id, name: promotion.name, effect: 'free_shipping', amount: rupiah(35_000) }]);
  });
});

describe('stacking', () => {
  it('two discount vouchers without groups: one per order, the larger, whatever the order typed; the other is not_combinable and not used', async () => {
    const tenant = await newTenant(app);
    const percent = await newVoucherBatch(tenant, { kind: 'percent', value: 10 });
    const amount = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(25_000) });
    const cart = { items: [item('JAKET', 1, 200_000)] };

    // 10% of Rp 200.000 = Rp 20.000 against Rp 25.000: the amount voucher wins.
    for (const voucherCodes of [[percent.code, amount.code], [amount.code, percent.code]]) {
      const evaluation = await evaluated(tenant.owner, { ...cart, voucherCodes });
      expect(evaluation).toMatchObject({ discount: rupiah(25_000), total: rupiah(175_000), rejected: [{ code: percent.code, reason: 'not_combinable' }] });
    }
    const sale = await posted(tenant.owner, { ...cart, voucherCodes: [percent.code, amount.code], receiptNo: newReceipt(), expectedTotal: rupiah(175_000) });
    expect(sale.rejected).toEqual([{ code: percent.code, reason: 'not_combinable' }]);
    expect((await voucherOf(tenant, percent.code)).uses).toBe(0);
    expect((await voucherOf(tenant, amount.code)).uses).toBe(1);
  });

  it('two vouchers in distinct groups typed in either order give the same result, applied in id order', async () => {
    const tenant = await newTenant(app);
    const percent = await newVoucherBatch(tenant, { kind: 'percent', value: 10, exclusivityGroup: 'persen' });
    const amount = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000), exclusivityGroup: 'potongan' });
    const cart = { items: [item('JAKET', 1, 200_000)] };

    const one = await evaluated(tenant.owner, { ...cart, voucherCodes: [percent.code, amount.code] });
    const other = await evaluated(tenant.owner, { ...cart, voucherCodes: [amount.code, percent.code] });
    expect(other).toEqual(one);
    const [first, second] = one.discounts;
    expect(first.id < second.id).toBe(true);
    // 10% of Rp 200.000 = Rp 20.000 then Rp 20.000 (total Rp 160.000), or Rp 20.000 then 10% of
    // Rp 180.000 = Rp 18.000 (total Rp 162.000): which one depends only on the vouchers' ids.
    const expected = first.code === percent.code
      ? [[percent.code, rupiah(20_000)], [amount.code, rupiah(20_000)], rupiah(160_000)]
      : [[amount.code, rupiah(20_000)], [percent.code, rupiah(18_000)], rupiah(162_000)];
    expect([[first.code, first.amount], [second.code, second.amount], one.total]).toEqual(expected);
  });

  it('a higher priority applies first: 20% promotion (priority 10) on the full goods, then the voucher (priority 0)', async () => {
    const tenant = await newTenant(app);
    const promotion = await newPromotion(tenant, { priority: 10, effect: { type: 'percent_off', value: 20 } });
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(20_000) });
    const cart = { items: [item('JAKET', 1, 200_000)], voucherCodes: [code] };

    // 20% of Rp 200.000 = Rp 40.000, then Rp 20.000: total Rp 140.000.
    const first = await evaluated(tenant.owner, cart);
    expect(first.discounts.map((d: { source: string; amount: number }) => [d.source, d.amount])).toEqual([['promotion', rupiah(40_000)], ['voucher', rupiah(20_000)]]);
    expect(first.total).toBe(rupiah(140_000));

    // With priority −10 the voucher goes first: Rp 20.000, then 20% of Rp 180.000 = Rp 36.000: total Rp 144.000.
    await tenant.owner.patch(`/api/v1/promotions/${promotion.id}`).send({ priority: -10 }).expect(200);
    const after = await evaluated(tenant.owner, cart);
    expect(after.discounts.map((d: { source: string; amount: number }) => [d.source, d.amount])).toEqual([['voucher', rupiah(20_000)], ['promotion', rupiah(36_000)]]);
    expect(after.total).toBe(rupiah(144_000));
  });
});

describe('refunds and voids of discounted sales', () => {
  it('refund the paid share; a partial refund keeps the voucher used, refunding the rest gives it back', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 30);
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(30_000) });

    // KAOS 2 × Rp 100.000 + TOPI 1 × Rp 100.000 = Rp 300.000; the voucher's Rp 30.000 splits
    // 200 : 100 (Rp 20.000 and Rp 10.000), so the lines are paid Rp 180.000 and Rp 90.000. 30 points
    // (Rp 3.000) split the same way (Rp 2.000 and Rp 1.000): Rp 267.000 earns 26 points, 17 + 9 by
    // largest remainder (17,33 and 8,67).
    const sale = await posted(tenant.owner, {
      memberId: member.id, receiptNo: newReceipt(), items: [item('KAOS', 2, 100_000), item('TOPI', 1, 100_000)], voucherCodes: [code], pointsToRedeem: 30,
    });
    expect(sale).toMatchObject({ subtotal: rupiah(300_000), discount: rupiah(30_000), pointsValue: rupiah(3_000), total: rupiah(267_000), pointsEarned: 26 });
    expect(sale.lines.map((l: { discount: number; points: number }) => [l.discount, l.points])).toEqual([[rupiah(20_000), 17], [rupiah(10_000), 9]]);
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 26, pending: 0, debt: 0 });
    const [kaos] = sale.lines;

    // One KAOS: paid Rp 90.000; floor(17 / 2) = 8 points back; floor(30 × 90.000 / 270.000) = 10 points returned.
    const partial = await refund(tenant, sale.id, [{ lineId: kaos.id, quantity: 1 }]);
    expect(partial.status, JSON.stringify(partial.body)).toBe(201);
    expect(partial.body).toMatchObject({ amount: rupiah(90_000), pointsReversed: 8, pointsReturned: 10, vouchersReturned: 0, points: { balance: 28, pending: 0, debt: 0 } });
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 1, redemptions: [{ transactionId: sale.id, status: 'redeemed' }] });

    // The rest: KAOS Rp 90.000 + TOPI Rp 90.000; 9 + 9 points back; the other 20 spent points return.
    const rest = await refund(tenant, sale.id);
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect(rest.body).toMatchObject({ amount: rupiah(180_000), pointsReversed: 18, pointsReturned: 20, vouchersReturned: 1, points: { balance: 30, pending: 0, debt: 0 } });
    expect(await voucherOf(tenant, code)).toMatchObject({ status: 'active', uses: 0, redemptions: [{ transactionId: sale.id, status: 'cancelled' }] });
    expect((await tenant.owner.get(`/api/v1/transactions/${sale.id}`)).body).toMatchObject({ refundedAmount: rupiah(270_000), pointsReversed: 26, pointsReturned: 30 });

    // The code is usable again.
    const again = await posted(tenant.owner, { receiptNo: newReceipt(), items: [item('TOPI', 1, 100_000)], voucherCodes: [code] });
    expect(again.total).toBe(rupiah(70_000));
    expect((await voucherOf(tenant, code)).uses).toBe(1);
    await expectLedgerClean(app, tenant.id);
  });

  it('a void gives the sale’s vouchers back', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const percent = await newVoucherBatch(tenant, { kind: 'percent', value: 10, exclusivityGroup: 'persen' });
    const amount = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(5_000), exclusivityGroup: 'potongan' });
    const sale = await posted(tenant.owner, { memberId: member.id, receiptNo: newReceipt(), items: [item('TAS', 1, 100_000)], voucherCodes: [percent.code, amount.code] });
    expect(sale.discount).toBeGreaterThan(0);
    expect((await voucherOf(tenant, percent.code)).uses).toBe(1);

    const voided = await tenant.owner.post(`/api/v1/transactions/${sale.id}/void`).set('Idempotency-Key', randomUUID());
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({ status: 'voided', vouchersReturned: 2, points: { balance: 0, pending: 0, debt: 0 } });
    for (const code of [percent.code, amount.code]) expect(await voucherOf(tenant, code)).toMatchObject({ status: 'active', uses: 0 });
    await expectLedgerClean(app, tenant.id);
  });
});

describe('the evaluation refuses what posting the cart would, with the same codes', () => {
  it('a blocked member: 400 at body.memberId from both', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await app.deps.db.updateTable('members').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('id', '=', member.id).execute();
    const cart = { memberId: member.id, items: [item('KOPI', 1, 50_000)] };

    const evaluation = await evaluate(tenant.owner, cart);
    const sale = await sell(tenant.owner, { ...cart, receiptNo: newReceipt() });
    for (const res of [evaluation, sale]) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.memberId', message: 'This member is blocked' }]);
    }
  });

  it('more points than the member can spend: 409 insufficient_points with the balance from both; points past their date do not count', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await adjust(tenant, member.id, 100);
    await adjust(tenant, member.id, 30);
    // 30 of the 130 points expired yesterday, and the expiry job has not run yet.
    const account = await app.deps.db.selectFrom('point_accounts').select('id').where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).executeTakeFirstOrThrow();
    const lot = await app.deps.db.selectFrom('point_lots').select('id').where('tenant_id', '=', tenant.id).where('account_id', '=', account.id).where('points', '=', 30).executeTakeFirstOrThrow();
    await app.deps.db.updateTable('point_lots').set({ expires_at: new Date(Date.now() - 86400e3) }).where('tenant_id', '=', tenant.id).where('id', '=', lot.id).execute();
    const cart = { memberId: member.id, items: [item('KOPI', 1, 50_000)], pointsToRedeem: 101 };

    const evaluation = await evaluate(tenant.owner, cart);
    expect(evaluation.status, JSON.stringify(evaluation.body)).toBe(409);
    expect(evaluation.body).toMatchObject({ code: 'insufficient_points', balance: 100 });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 130, pending: 0, debt: 0 });
    const sale = await sell(tenant.owner, { ...cart, receiptNo: newReceipt() });
    expect(sale.status, JSON.stringify(sale.body)).toBe(409);
    expect(sale.body).toMatchObject({ code: 'insufficient_points', balance: 100 });

    expect((await evaluated(tenant.owner, { ...cart, pointsToRedeem: 100 })).pointsValue).toBe(rupiah(10_000));
  });

  it('only a missing member is "No such member": a database error is not turned into one', async () => {
    const tenant = await newTenant(app);
    const principal = { kind: 'staff' as const, tenantId: tenant.id, id: tenant.ownerId, role: 'owner' as const, storeId: null, sessionId: randomUUID() };
    const cart = { channel: 'store' as const, items: [item('KOPI', 1, 50_000)] };

    const missing = await evaluate(tenant.owner, { ...cart, memberId: randomUUID() });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'body.memberId', message: 'No such member' }]);
    // Not a uuid: the database refuses the query itself (the route would have refused the body).
    const failure = await evaluateCheckout(app.deps.db, principal, { ...cart, memberId: 'not-a-uuid' }).then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(DomainError);
  });
});

describe('vouchers at checkout', () => {
  it('a member past a code’s per-member limit gets used_up', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const { code } = await newVoucherBatch(tenant, { code: `SEKALI-${randomUUID().slice(0, 6)}`, usesPerCode: null, perMemberLimit: 1 });
    const cart = { memberId: member.id, items: [item('KOPI', 1, 50_000)], voucherCodes: [code] };
    await posted(tenant.owner, { ...cart, receiptNo: newReceipt() });

    expect((await evaluated(tenant.owner, cart)).rejected).toEqual([{ code, reason: 'used_up' }]);
    const other = await newMember(tenant);
    expect((await evaluated(tenant.owner, { ...cart, memberId: other.id })).rejected).toEqual([]);
  });

  it('a backdated sale cannot use a voucher that has expired since; promotions still count at the sale’s time', async () => {
    const tenant = await newTenant(app);
    const { code, batchId } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000) });
    // Issued five days ago, expired yesterday: valid when the sale happened, two days ago.
    await sql`update vouchers set created_at = now() - interval '5 days' where tenant_id = ${tenant.id} and batch_id = ${batchId}`.execute(app.deps.db);
    await app.deps.db.updateTable('voucher_batches').set({ expires_at: new Date(Date.now() - 86400e3) }).where('tenant_id', '=', tenant.id).where('id', '=', batchId).execute();
    const occurredAt = new Date(Date.now() - 2 * 86400e3).toISOString();
    const promotion = await newPromotion(tenant, { startsAt: new Date(Date.now() - 3 * 86400e3).toISOString(), endsAt: new Date(Date.now() - 36 * 3600e3).toISOString() });
    const sale = { occurredAt, items: [item('TAS', 1, 100_000)], voucherCodes: [code] };

    const refused = await sell(tenant.owner, { ...sale, receiptNo: newReceipt() });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voucher_rejected', rejected: [{ code, reason: 'expired' }] });
    expect((await voucherOf(tenant, code)).uses).toBe(0);

    // Without the code: the promotion of that day (10%), over now, still applies.
    const posted2 = await posted(tenant.owner, { ...sale, voucherCodes: undefined, receiptNo: newReceipt() });
    expect(posted2).toMatchObject({ discount: rupiah(10_000), total: rupiah(90_000), applied: [{ source: 'promotion', id: promotion.id }] });
  });
});

describe('the OpenAPI document', () => {
  it('documents the stacking order on /checkout/evaluate and /transactions, from one text', async () => {
    const { body } = await app.http.get('/api/openapi.json');
    for (const path of ['/api/v1/checkout/evaluate', '/api/v1/transactions']) {
      expect(body.paths[path].post.description, path).toContain(STACKING_ORDER.trim());
    }
    for (const point of ['priority', 'promotions before vouchers', 'left', 'not_combinable', 'rounded down to whole rupiah', 'voucher_discount']) {
      expect(STACKING_ORDER).toContain(point);
    }
  });
});

describe('member presence', () => {
  it('a cashier applying a member’s personal voucher needs a fresh scan: 403 presence_required and nothing posted without one', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const member = await newMember(tenant);
    const { code } = await newVoucherBatch(tenant, { kind: 'amount', value: rupiah(10_000), memberId: member.id });
    const receiptNo = newReceipt();
    const sale = { memberId: member.id, receiptNo, items: [item('KOPI', 1, 50_000)], voucherCodes: [code] };

    const unscanned = await sell(cashier.agent, sale);
    expect(unscanned.status, JSON.stringify(unscanned.body)).toBe(403);
    expect(unscanned.body).toMatchObject({ code: 'presence_required', errors: [{ path: 'body.scanToken', message: 'Required' }] });
    expect(await salesWithReceipt(tenant, receiptNo)).toEqual([]);
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 0, redemptions: [] });
    expect(await balancesOf(tenant, member.id)).toEqual({ balance: 0, pending: 0, debt: 0 });

    const scan = await cashier.agent.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, member.id) });
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    const ok = await sell(cashier.agent, { ...sale, scanToken: scan.body.scanToken });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Rp 50.000 − Rp 10.000 = Rp 40.000 → 4 points.
    expect(ok.body).toMatchObject({ storeId: store.id, total: rupiah(40_000), pointsEarned: 4 });
    expect(await voucherOf(tenant, code)).toMatchObject({ uses: 1, redemptions: [{ transactionId: ok.body.id }] });
    await expectLedgerClean(app, tenant.id);
  });
});

describe('guessing limits on /checkout/evaluate', () => {
  it('60 unknown codes from one IP are allowed, then 429 — for known codes too; another IP is not affected', async () => {
    const tenant = await newTenant(app);
    const { code } = await newVoucherBatch(tenant);
    const ip = newIp();
    const guess = (codes: string[], from = ip) => evaluate(tenant.owner, { items: [item('KOPI', 1, 50_000)], voucherCodes: codes }).set('X-Forwarded-For', from);
    const tenCodes = (round: number) => Array.from({ length: 10 }, (_, i) => `TEBAK${round}X${i}`);

    for (let round = 0; round < 6; round++) {
      const res = await guess(tenCodes(round));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.rejected).toHaveLength(10);
    }
    const limited = await guess(tenCodes(6));
    expect(limited.status).toBe(429);
    expect(limited.type).toBe(PROBLEM);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await guess([code])).status).toBe(429);

    const elsewhere = await guess([code], newIp());
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.rejected).toEqual([]);
  });

  it('30 unknown codes tried for one member, whatever the IP, then 429', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const guess = (codes: string[]) =>
      evaluate(tenant.owner, { memberId: member.id, items: [item('KOPI', 1, 50_000)], voucherCodes: codes }).set('X-Forwarded-For', newIp());
    for (let round = 0; round < 3; round++) {
      expect((await guess(Array.from({ length: 10 }, (_, i) => `COBA${round}X${i}`))).status).toBe(200);
    }
    expect((await guess(['COBA9X9'])).status).toBe(429);
    expect((await guess([])).status).toBe(429);
    const otherMember = await newMember(tenant);
    expect((await evaluate(tenant.owner, { memberId: otherMember.id, items: [item('KOPI', 1, 50_000)] }).set('X-Forwarded-For', newIp())).status).toBe(200);
  });
});

describe('POST /api/v1/promotions/preview', () => {
  it('gives a marketer the same evaluation as /checkout/evaluate gives the till; a marketer may not evaluate (403)', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    const member = await newMember(tenant);
    await newPromotion(tenant, { effect: { type: 'percent_off', value: 15, maxDiscount: rupiah(25_000) } });
    await newPromotion(tenant, { conditions: { channels: ['online'] }, effect: { type: 'free_shipping', maxDiscount: rupiah(10_000) } });
    await newPromotion(tenant, { effect: { type: 'bonus_points', points: 5 } });
    const cart = {
      memberId: member.id, channel: 'online', shipping: { fee: rupiah(18_000), region: 'Jawa' },
      items: [item('KOPI', 3, 45_000), item('TEH', 2, 12_500)],
    };

    // KOPI Rp 135.000 + TEH Rp 25.000 = Rp 160.000; 15% = Rp 24.000 (under the Rp 25.000 cap);
    // shipping Rp 18.000 − Rp 10.000; total Rp 136.000 + Rp 8.000 = Rp 144.000; 13 + 5 points.
    const preview = await marketer.agent.post('/api/v1/promotions/preview').send(cart);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const { offers, ...evaluation } = await evaluated(tenant.owner, cart);
    expect(offers).toEqual([]);
    expect(preview.body).toEqual(evaluation);
    expect(evaluation).toMatchObject({
      subtotal: rupiah(160_000), discount: rupiah(24_000), shipping: { fee: rupiah(18_000), discount: rupiah(10_000) }, total: rupiah(144_000), pointsToEarn: 18,
    });

    expect((await evaluate(marketer.agent, cart)).status).toBe(403);
    expect((await evaluate(app.agent(), cart)).status).toBe(401);
  });
});
