// Worked examples for the promotions-and-vouchers engine: each case states the cart, the
// promotions and vouchers, and the exact amounts expected. Money is written in rupiah and
// converted to minor units (IDR: Rp 1 = 100).
import { describe, expect, it } from 'vitest';
import { earnPoints } from '../../api/src/earning/earning-engine.ts';
import {
  evaluatePromotions,
  type Promotion,
  type PromotionEffect,
  type PromotionInput,
  type PromotionLine,
  type PromotionResult,
  type VoucherInput,
  type VoucherKind,
  type VoucherMatch,
} from '../../api/src/promotions/promotion-engine.ts';

const rp = (rupiah: number) => Math.round(rupiah * 100);

/** A Wednesday, 12:00 in Jakarta. */
const WEDNESDAY_NOON_WIB = new Date('2026-06-03T05:00:00Z');
const wib = (local: string) => new Date(`${local}+07:00`);

const line = (sku: string, unitRupiah: number, quantity = 1, more: Partial<PromotionLine> = {}): PromotionLine => ({
  sku,
  category: null,
  quantity,
  unitPrice: rp(unitRupiah),
  amount: rp(unitRupiah) * quantity,
  ...more,
});

function checkout(more: Partial<PromotionInput> = {}): PromotionInput {
  return {
    lines: [line('A', 100_000)],
    shipping: { fee: 0, region: null },
    channel: 'store',
    storeId: 'store-a',
    at: WEDNESDAY_NOON_WIB,
    timeZone: 'Asia/Jakarta',
    minorPerUnit: 100,
    member: { tierCode: 'silver', segments: [], isFirstPurchase: false },
    promotions: [],
    vouchers: [],
    ...more,
  };
}

const online = (fee: number, region: string | null, more: Partial<PromotionInput> = {}) => checkout({ channel: 'online', storeId: null, shipping: { fee: rp(fee), region }, ...more });

function promo(id: string, effect: PromotionEffect, more: Partial<Promotion> = {}): Promotion {
  return { id, name: id, priority: 0, exclusivityGroup: null, startsAt: '2026-01-01T00:00:00+07:00', endsAt: '2026-12-31T23:59:59.999+07:00', conditions: {}, effect, ...more };
}
const percentOff = (id: string, value: number, more: Partial<Promotion> & { maxDiscount?: number } = {}) => {
  const { maxDiscount, ...rest } = more;
  return promo(id, { type: 'percent_off', value, maxDiscount: maxDiscount === undefined ? undefined : rp(maxDiscount) }, rest);
};
const amountOff = (id: string, rupiah: number, more: Partial<Promotion> = {}) => promo(id, { type: 'amount_off', value: rp(rupiah) }, more);
const freeShipping = (id: string, maxRupiah: number | null, more: Partial<Promotion> = {}) => promo(id, { type: 'free_shipping', maxDiscount: maxRupiah === null ? null : rp(maxRupiah) }, more);

function voucher(code: string, kind: VoucherKind, more: Partial<VoucherMatch> = {}): VoucherInput {
  return {
    code,
    match: {
      voucherId: `v-${code}`,
      kind,
      value: null,
      maxDiscount: null,
      sku: null,
      minSpend: 0,
      startsAt: null,
      expiresAt: '2026-12-31T23:59:59+07:00',
      channels: null,
      stores: null,
      priority: 0,
      exclusivityGroup: null,
      state: 'ok',
      ...more,
    },
  };
}
const amountVoucher = (code: string, rupiah: number, more: Partial<VoucherMatch> = {}) => voucher(code, 'amount', { value: rp(rupiah), ...more });
const percentVoucher = (code: string, value: number, more: Partial<VoucherMatch> = {}) => voucher(code, 'percent', { value, ...more });
const unknownCode = (code: string): VoucherInput => ({ code, match: null });

/** evaluatePromotions, checking the invariants every result keeps. */
function evaluate(input: PromotionInput): PromotionResult {
  const result = evaluatePromotions(input);
  const goods = input.lines.map((l) => Math.max(0, Math.floor(l.amount)));
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(result.subtotal).toBe(total(goods));
  expect(result.goodsDiscount).toBe(total(result.discounts.map((d) => d.amount)));
  expect(total(result.lineDiscounts)).toBe(result.goodsDiscount);
  expect(result.lineDiscounts.every((d, i) => Number.isSafeInteger(d) && d >= 0 && d <= goods[i])).toBe(true);
  expect(result.goodsDiscount).toBeLessThanOrEqual(result.subtotal);
  expect(result.shippingDiscount).toBeGreaterThanOrEqual(0);
  expect(result.shippingDiscount).toBeLessThanOrEqual(Math.max(0, input.shipping.fee));
  expect(result.discounts.every((d) => d.amount > 0)).toBe(true);
  return result;
}

interface Example {
  name: string;
  input: PromotionInput;
  /** Matched as a subset: a refused code's `index` need not be stated. */
  expected: Partial<Omit<PromotionResult, 'rejected'>> & { rejected?: (Omit<PromotionResult['rejected'][number], 'index'> & { index?: number })[] };
}

function examples(title: string, table: Example[]) {
  describe(title, () => {
    it.each(table)('$name', ({ input, expected }) => {
      expect(evaluate(input)).toMatchObject(expected);
    });
  });
}

examples('percent off with a cap', [
  {
    name: '20% of Rp 100.000 with a cap of Rp 25.000 is Rp 20.000',
    input: checkout({ promotions: [percentOff('p20', 20, { maxDiscount: 25_000 })] }),
    expected: { discounts: [{ source: 'promotion', id: 'p20', amount: rp(20_000) }], goodsDiscount: rp(20_000), lineDiscounts: [rp(20_000)] },
  },
  {
    name: '20% of Rp 200.000 with a cap of Rp 25.000 is capped at Rp 25.000',
    input: checkout({ lines: [line('A', 50_000, 4)], promotions: [percentOff('p20', 20, { maxDiscount: 25_000 })] }),
    expected: { goodsDiscount: rp(25_000), lineDiscounts: [rp(25_000)] },
  },
  {
    name: 'a 15% voucher with a cap of Rp 30.000 on Rp 333.333 gives the cap (15% would be Rp 49.999,95)',
    input: checkout({ lines: [line('A', 333_333)], vouchers: [percentVoucher('PCT15', 15, { maxDiscount: rp(30_000) })] }),
    expected: { discounts: [{ source: 'voucher', id: 'v-PCT15', code: 'PCT15', amount: rp(30_000) }], applied: [{ source: 'voucher', id: 'v-PCT15', code: 'PCT15', effect: 'percent', amount: rp(30_000) }] },
  },
  {
    name: 'a cap with sen (Rp 25.000,50) caps at whole rupiah (Rp 25.000)',
    input: checkout({ lines: [line('A', 500_000)], promotions: [percentOff('p10', 10, { maxDiscount: 25_000.5 })] }),
    expected: { goodsDiscount: rp(25_000) },
  },
]);

examples('amount off larger than the cart', [
  {
    name: 'Rp 50.000 off a Rp 30.000 cart takes Rp 30.000, spread over the lines, and leaves shipping alone',
    input: online(10_000, 'JAWA', { lines: [line('A', 20_000), line('B', 10_000)], promotions: [amountOff('a50', 50_000)] }),
    expected: { subtotal: rp(30_000), goodsDiscount: rp(30_000), lineDiscounts: [rp(20_000), rp(10_000)], shippingDiscount: 0 },
  },
  {
    name: 'a Rp 50.000 voucher on a Rp 12.345,67 cart takes exactly Rp 12.345,67 (all that is left)',
    input: checkout({ lines: [line('A', 12_345.67)], vouchers: [amountVoucher('BIG', 50_000)] }),
    expected: { goodsDiscount: 1_234_567, lineDiscounts: [1_234_567] },
  },
]);

examples('100% off', [
  {
    name: '100% off Rp 100.000 makes the goods free; the Rp 15.000 shipping fee is not discounted',
    input: online(15_000, 'JAWA', { lines: [line('A', 45_500), line('B', 54_500)], promotions: [percentOff('all', 100)] }),
    expected: { goodsDiscount: rp(100_000), lineDiscounts: [rp(45_500), rp(54_500)], shippingDiscount: 0 },
  },
  {
    name: '100% off a price with sen (Rp 12.345,67) is free to the sen',
    input: checkout({ lines: [line('A', 12_345.67)], promotions: [percentOff('all', 100)] }),
    expected: { goodsDiscount: 1_234_567 },
  },
  {
    name: '99% of Rp 12.345,67 = Rp 12.222,21 is Rp 12.222',
    input: checkout({ lines: [line('A', 12_345.67)], promotions: [percentOff('p99', 99)] }),
    expected: { goodsDiscount: rp(12_222) },
  },
  {
    name: 'a 100% voucher after a 100% promotion finds nothing left: not_combinable (the voucher is not spent)',
    input: checkout({ promotions: [percentOff('all', 100)], vouchers: [percentVoucher('FREE', 100)] }),
    expected: { discounts: [{ source: 'promotion', id: 'all', amount: rp(100_000) }], rejected: [{ code: 'FREE', reason: 'not_combinable' }] },
  },
]);

const MIN_100K = rp(100_000);
examples('minimum spend, against the goods subtotal, inclusive', [
  {
    name: 'promotion: Rp 99.999 is one rupiah under Rp 100.000 and gets nothing',
    input: checkout({ lines: [line('A', 99_999)], promotions: [amountOff('a10', 10_000, { conditions: { minSpend: MIN_100K } })] }),
    expected: { discounts: [], applied: [] },
  },
  {
    name: 'promotion: exactly Rp 100.000 qualifies',
    input: checkout({ lines: [line('A', 100_000)], promotions: [amountOff('a10', 10_000, { conditions: { minSpend: MIN_100K } })] }),
    expected: { goodsDiscount: rp(10_000) },
  },
  {
    name: 'voucher: one rupiah under is min_spend',
    input: checkout({ lines: [line('A', 99_999)], vouchers: [amountVoucher('MIN', 10_000, { minSpend: MIN_100K })] }),
    expected: { goodsDiscount: 0, rejected: [{ code: 'MIN', reason: 'min_spend' }] },
  },
  {
    name: 'voucher: exactly at the minimum applies',
    input: checkout({ lines: [line('A', 100_000)], vouchers: [amountVoucher('MIN', 10_000, { minSpend: MIN_100K })] }),
    expected: { goodsDiscount: rp(10_000), rejected: [] },
  },
  {
    name: 'shipping does not count towards the minimum: Rp 99.999 + Rp 20.000 shipping is still min_spend',
    input: online(20_000, 'JAWA', { lines: [line('A', 99_999)], vouchers: [amountVoucher('MIN', 10_000, { minSpend: MIN_100K })] }),
    expected: { rejected: [{ code: 'MIN', reason: 'min_spend' }] },
  },
  {
    name: 'the minimum is checked before discounts: a 10% promotion does not take a Rp 100.000 cart below a voucher minimum',
    input: checkout({ promotions: [percentOff('p10', 10)], vouchers: [amountVoucher('MIN', 10_000, { minSpend: MIN_100K })] }),
    expected: { goodsDiscount: rp(20_000), rejected: [] },
  },
]);

const JUNE = { startsAt: '2026-06-01T00:00:00+07:00', endsAt: '2026-06-30T23:59:59.999+07:00' };
const juneSale = promo('june', { type: 'amount_off', value: rp(5_000) }, JUNE);
const juneVoucher = amountVoucher('JUNI', 5_000, { startsAt: JUNE.startsAt, expiresAt: '2026-06-30T23:59:59+07:00' });
examples('validity windows at their first and last instant', [
  { name: 'promotion, first instant', input: checkout({ at: wib('2026-06-01T00:00:00'), promotions: [juneSale] }), expected: { goodsDiscount: rp(5_000) } },
  { name: 'promotion, a millisecond before', input: checkout({ at: wib('2026-05-31T23:59:59.999'), promotions: [juneSale] }), expected: { goodsDiscount: 0 } },
  { name: 'promotion, last instant', input: checkout({ at: wib('2026-06-30T23:59:59.999'), promotions: [juneSale] }), expected: { goodsDiscount: rp(5_000) } },
  { name: 'promotion, a millisecond after', input: checkout({ at: wib('2026-07-01T00:00:00'), promotions: [juneSale] }), expected: { goodsDiscount: 0 } },
  { name: 'voucher, first instant', input: checkout({ at: wib('2026-06-01T00:00:00'), vouchers: [juneVoucher] }), expected: { goodsDiscount: rp(5_000), rejected: [] } },
  {
    name: 'voucher, a millisecond before: not_started',
    input: checkout({ at: wib('2026-05-31T23:59:59.999'), vouchers: [juneVoucher] }),
    expected: { rejected: [{ code: 'JUNI', reason: 'not_started' }] },
  },
  { name: 'voucher, its expiry instant', input: checkout({ at: wib('2026-06-30T23:59:59'), vouchers: [juneVoucher] }), expected: { goodsDiscount: rp(5_000) } },
  {
    name: 'voucher without an expiry: valid years later',
    input: checkout({ at: wib('2031-01-01T00:00:00'), vouchers: [amountVoucher('FOREVER', 5_000, { expiresAt: null })] }),
    expected: { goodsDiscount: rp(5_000), rejected: [] },
  },
  {
    name: 'voucher, a millisecond after its expiry: expired',
    input: checkout({ at: new Date(wib('2026-06-30T23:59:59').getTime() + 1), vouchers: [juneVoucher] }),
    expected: { rejected: [{ code: 'JUNI', reason: 'expired' }] },
  },
  {
    name: 'a sale of 30 June posted on 2 July: the voucher was valid then but has expired now, so it is expired; the June promotion still applies',
    input: checkout({ at: wib('2026-06-30T12:00:00'), now: wib('2026-07-02T09:00:00'), promotions: [juneSale], vouchers: [juneVoucher] }),
    expected: { discounts: [{ source: 'promotion', id: 'june', amount: rp(5_000) }], rejected: [{ code: 'JUNI', reason: 'expired' }] },
  },
  {
    name: 'a sale of 30 June posted at its expiry instant: valid at both',
    input: checkout({ at: wib('2026-06-30T12:00:00'), now: wib('2026-06-30T23:59:59'), vouchers: [juneVoucher] }),
    expected: { goodsDiscount: rp(5_000), rejected: [] },
  },
]);

// Free shipping online, in Java and Bali only, at most Rp 20.000.
const ongkir = freeShipping('ongkir', 20_000, { conditions: { channels: ['online'], regions: ['JAWA', 'BALI'] } });
examples('free shipping only online, only in some regions, with a cap', [
  {
    name: 'online to JAWA, fee Rp 15.000: all of it',
    input: online(15_000, 'JAWA', { promotions: [ongkir] }),
    expected: { shippingDiscount: rp(15_000), goodsDiscount: 0, discounts: [], applied: [{ source: 'promotion', id: 'ongkir', effect: 'free_shipping', amount: rp(15_000) }] },
  },
  { name: 'online to BALI, fee Rp 35.000: capped at Rp 20.000', input: online(35_000, 'BALI', { promotions: [ongkir] }), expected: { shippingDiscount: rp(20_000) } },
  { name: 'online to PAPUA: not a listed region', input: online(50_000, 'PAPUA', { promotions: [ongkir] }), expected: { shippingDiscount: 0, applied: [] } },
  { name: 'online to " Jawa " (other case, spaces around): the region JAWA', input: online(15_000, ' Jawa ', { promotions: [ongkir] }), expected: { shippingDiscount: rp(15_000) } },
  {
    name: 'a region listed as " bali" matches BALI',
    input: online(15_000, 'BALI', { promotions: [freeShipping('ongkir', null, { conditions: { channels: ['online'], regions: [' bali'] } })] }),
    expected: { shippingDiscount: rp(15_000) },
  },
  { name: 'online without a region', input: online(15_000, null, { promotions: [ongkir] }), expected: { shippingDiscount: 0, applied: [] } },
  {
    name: 'in the store, even with a JAWA region and a fee',
    input: checkout({ shipping: { fee: rp(15_000), region: 'JAWA' }, promotions: [ongkir] }),
    expected: { shippingDiscount: 0, applied: [] },
  },
  {
    name: 'a free-shipping voucher on a fee of 0 gives nothing: not_eligible',
    input: online(0, 'JAWA', { vouchers: [voucher('ONGKIR', 'free_shipping')] }),
    expected: { rejected: [{ code: 'ONGKIR', reason: 'not_eligible' }] },
  },
  {
    name: 'a fee with sen (Rp 12.345,67) is free to the sen without a cap; a cap of Rp 10.000,99 gives Rp 10.000',
    input: checkout({ channel: 'online', storeId: null, shipping: { fee: 1_234_567, region: 'JAWA' }, promotions: [freeShipping('all', null)] }),
    expected: { shippingDiscount: 1_234_567 },
  },
  {
    name: 'a cap of Rp 10.000,99 gives Rp 10.000',
    input: checkout({ channel: 'online', storeId: null, shipping: { fee: 1_234_567, region: 'JAWA' }, promotions: [freeShipping('capped', 10_000.99)] }),
    expected: { shippingDiscount: rp(10_000) },
  },
]);

const goldOnly = percentOff('gold10', 10, { conditions: { tiers: ['gold'] } });
examples('tier-only promotions', [
  { name: 'a gold member gets it', input: checkout({ member: { tierCode: 'gold', segments: [], isFirstPurchase: false }, promotions: [goldOnly] }), expected: { goodsDiscount: rp(10_000) } },
  { name: 'a silver member does not', input: checkout({ promotions: [goldOnly] }), expected: { goodsDiscount: 0, applied: [] } },
  { name: 'a guest does not', input: checkout({ member: null, promotions: [goldOnly] }), expected: { goodsDiscount: 0, applied: [] } },
]);

examples('other promotion conditions', [
  {
    name: 'segments: the member is in one of them',
    input: checkout({ member: { tierCode: 'silver', segments: ['vip', 'mothers'], isFirstPurchase: false }, promotions: [percentOff('seg', 10, { conditions: { segments: ['students', 'mothers'] } })] }),
    expected: { goodsDiscount: rp(10_000) },
  },
  {
    name: 'segments: the member is in none of them',
    input: checkout({ member: { tierCode: 'silver', segments: ['vip'], isFirstPurchase: false }, promotions: [percentOff('seg', 10, { conditions: { segments: ['students'] } })] }),
    expected: { goodsDiscount: 0 },
  },
  {
    name: 'first purchase only: on the first purchase',
    input: checkout({ member: { tierCode: 'silver', segments: [], isFirstPurchase: true }, promotions: [amountOff('welcome', 25_000, { conditions: { firstPurchaseOnly: true } })] }),
    expected: { goodsDiscount: rp(25_000) },
  },
  { name: 'first purchase only: not on a later one', input: checkout({ promotions: [amountOff('welcome', 25_000, { conditions: { firstPurchaseOnly: true } })] }), expected: { goodsDiscount: 0 } },
  { name: 'stores: another store', input: checkout({ storeId: 'store-b', promotions: [amountOff('local', 5_000, { conditions: { stores: ['store-a'] } })] }), expected: { goodsDiscount: 0 } },
  { name: 'stores: its store', input: checkout({ promotions: [amountOff('local', 5_000, { conditions: { stores: ['store-a'] } })] }), expected: { goodsDiscount: rp(5_000) } },
  {
    name: 'a Friday-night window 22:00–02:00 applies on Saturday 01:30 in Makassar (WITA)',
    input: checkout({ at: new Date('2026-06-06T01:30:00+08:00'), timeZone: 'Asia/Makassar', promotions: [amountOff('late', 5_000, { conditions: { daysOfWeek: [5], hours: { from: '22:00', to: '02:00' } } })] }),
    expected: { goodsDiscount: rp(5_000) },
  },
  {
    name: '… but not on Saturday 02:00 (the window ends there)',
    input: checkout({ at: new Date('2026-06-06T02:00:00+08:00'), timeZone: 'Asia/Makassar', promotions: [amountOff('late', 5_000, { conditions: { daysOfWeek: [5], hours: { from: '22:00', to: '02:00' } } })] }),
    expected: { goodsDiscount: 0 },
  },
  {
    name: '… nor on Friday 01:30 (that is Thursday night)',
    input: checkout({ at: new Date('2026-06-05T01:30:00+08:00'), timeZone: 'Asia/Makassar', promotions: [amountOff('late', 5_000, { conditions: { daysOfWeek: [5], hours: { from: '22:00', to: '02:00' } } })] }),
    expected: { goodsDiscount: 0 },
  },
  {
    name: 'the same instant is Saturday 00:30 in Jakarta (WIB): outside a Friday window, as read in the store\'s zone',
    input: checkout({ at: new Date('2026-06-06T01:30:00+08:00'), timeZone: 'Asia/Jakarta', promotions: [amountOff('late', 5_000, { conditions: { daysOfWeek: [6], hours: { from: '01:00', to: '02:00' } } })] }),
    expected: { goodsDiscount: 0 },
  },
  {
    name: 'bonus points are not applied to a guest',
    input: checkout({ member: null, promotions: [promo('double', { type: 'bonus_points', multiplier: 2 })] }),
    expected: { applied: [], points: { bonus: [], multipliers: [] } },
  },
]);

examples('voucher refusals, the first reason that applies wins', [
  { name: 'unknown', input: checkout({ vouchers: [unknownCode('NOPE')] }), expected: { rejected: [{ code: 'NOPE', reason: 'unknown' }] } },
  {
    name: 'not_started before expired (a start after its own expiry)',
    input: checkout({ vouchers: [amountVoucher('ODD', 5_000, { startsAt: '2026-07-01T00:00:00+07:00', expiresAt: '2026-05-01T00:00:00+07:00' })] }),
    expected: { rejected: [{ code: 'ODD', reason: 'not_started' }] },
  },
  {
    name: 'expired before wrong_channel',
    input: checkout({ vouchers: [amountVoucher('OLD', 5_000, { expiresAt: '2026-05-31T23:59:59+07:00', channels: ['online'] })] }),
    expected: { rejected: [{ code: 'OLD', reason: 'expired' }] },
  },
  {
    name: 'wrong_channel before wrong_store',
    input: checkout({ vouchers: [amountVoucher('WEB', 5_000, { channels: ['online'], stores: ['store-b'] })] }),
    expected: { rejected: [{ code: 'WEB', reason: 'wrong_channel' }] },
  },
  {
    name: 'wrong_store before not_eligible',
    input: checkout({ vouchers: [amountVoucher('B', 5_000, { stores: ['store-b'], state: 'not_eligible' })] }),
    expected: { rejected: [{ code: 'B', reason: 'wrong_store' }] },
  },
  {
    name: 'a store-bound voucher on an online order without a store: wrong_store',
    input: online(10_000, 'JAWA', { vouchers: [amountVoucher('B', 5_000, { stores: ['store-a'] })] }),
    expected: { rejected: [{ code: 'B', reason: 'wrong_store' }] },
  },
  {
    name: 'not_eligible before used_up',
    input: checkout({ vouchers: [amountVoucher('MINE', 5_000, { state: 'not_eligible' })] }),
    expected: { rejected: [{ code: 'MINE', reason: 'not_eligible' }] },
  },
  {
    name: 'a free item whose sku is not in the cart: not_eligible (even when also used up)',
    input: checkout({ vouchers: [voucher('KOPI', 'free_item', { sku: 'KOPI-1', state: 'used_up' })] }),
    expected: { rejected: [{ code: 'KOPI', reason: 'not_eligible' }] },
  },
  {
    name: 'used_up before min_spend',
    input: checkout({ vouchers: [amountVoucher('GONE', 5_000, { state: 'used_up', minSpend: rp(1_000_000) })] }),
    expected: { rejected: [{ code: 'GONE', reason: 'used_up' }] },
  },
  {
    name: 'the same voucher typed twice, differently: the second is not_combinable and it applies once',
    input: checkout({ vouchers: [{ ...amountVoucher('HEMAT20', 20_000), code: 'hemat-20' }, amountVoucher('HEMAT20', 20_000)] }),
    expected: { goodsDiscount: rp(20_000), discounts: [{ source: 'voucher', id: 'v-HEMAT20', code: 'hemat-20', amount: rp(20_000) }], rejected: [{ code: 'HEMAT20', reason: 'not_combinable' }] },
  },
  {
    name: 'refused codes are listed in the order they were typed',
    input: checkout({ vouchers: [unknownCode('ZZZ'), amountVoucher('GONE', 5_000, { state: 'used_up' }), unknownCode('AAA')] }),
    expected: { rejected: [{ code: 'ZZZ', reason: 'unknown' }, { code: 'GONE', reason: 'used_up' }, { code: 'AAA', reason: 'unknown' }] },
  },
]);

examples('stacking and exclusivity', [
  {
    name: 'without groups, a promotion and a voucher of equal priority stack, the promotion first: 10% of 100.000, then Rp 10.000',
    input: checkout({ promotions: [percentOff('p10', 10)], vouchers: [amountVoucher('HEMAT10', 10_000)] }),
    expected: {
      discounts: [
        { source: 'promotion', id: 'p10', amount: rp(10_000) },
        { source: 'voucher', id: 'v-HEMAT10', code: 'HEMAT10', amount: rp(10_000) },
      ],
      goodsDiscount: rp(20_000),
    },
  },
  {
    name: 'the application order ignores the size of a discount: at equal priority the 10% promotion goes before a larger Rp 20.000 voucher',
    input: checkout({ promotions: [percentOff('p10', 10)], vouchers: [amountVoucher('HEMAT20', 20_000)] }),
    expected: {
      discounts: [
        { source: 'promotion', id: 'p10', amount: rp(10_000) },
        { source: 'voucher', id: 'v-HEMAT20', code: 'HEMAT20', amount: rp(20_000) },
      ],
      goodsDiscount: rp(30_000),
    },
  },
  {
    name: 'a higher-priority voucher goes first: Rp 10.000, then 10% of the Rp 90.000 left',
    input: checkout({ promotions: [percentOff('p10', 10)], vouchers: [amountVoucher('HEMAT10', 10_000, { priority: 1 })] }),
    expected: {
      discounts: [
        { source: 'voucher', id: 'v-HEMAT10', code: 'HEMAT10', amount: rp(10_000) },
        { source: 'promotion', id: 'p10', amount: rp(9_000) },
      ],
      goodsDiscount: rp(19_000),
    },
  },
  {
    name: 'in a group, the higher priority wins even when it gives less',
    input: checkout({ promotions: [percentOff('small', 10, { priority: 10, exclusivityGroup: 'season' }), percentOff('big', 30, { priority: 5, exclusivityGroup: 'season' })] }),
    expected: { discounts: [{ source: 'promotion', id: 'small', amount: rp(10_000) }] },
  },
  {
    name: 'in a group at equal priority, the larger discount for this cart wins',
    input: checkout({ promotions: [percentOff('small', 10, { exclusivityGroup: 'season' }), amountOff('big', 15_000, { exclusivityGroup: 'season' })] }),
    expected: { discounts: [{ source: 'promotion', id: 'big', amount: rp(15_000) }] },
  },
  {
    name: 'equal priority and discount: the promotion wins over the voucher, which is not_combinable',
    input: checkout({ promotions: [amountOff('zz', 10_000, { exclusivityGroup: 'season' })], vouchers: [amountVoucher('AA', 10_000, { exclusivityGroup: 'season' })] }),
    expected: { discounts: [{ source: 'promotion', id: 'zz', amount: rp(10_000) }], rejected: [{ code: 'AA', reason: 'not_combinable' }] },
  },
  {
    name: 'everything equal: the lower id wins',
    input: checkout({ promotions: [amountOff('b', 10_000, { exclusivityGroup: 'season' }), amountOff('a', 10_000, { exclusivityGroup: 'season' })] }),
    expected: { discounts: [{ source: 'promotion', id: 'a', amount: rp(10_000) }] },
  },
  {
    name: 'one discount voucher per order: two vouchers in group "voucher", the larger one applies',
    input: checkout({ vouchers: [percentVoucher('DISKON10', 10, { exclusivityGroup: 'voucher' }), amountVoucher('HEMAT20', 20_000, { exclusivityGroup: 'voucher' })] }),
    expected: { discounts: [{ source: 'voucher', id: 'v-HEMAT20', code: 'HEMAT20', amount: rp(20_000) }], rejected: [{ code: 'DISKON10', reason: 'not_combinable' }] },
  },
  {
    name: 'one shipping discount per order without any group: the higher-priority free-shipping voucher beats the promotion',
    input: online(30_000, 'JAWA', { promotions: [freeShipping('ongkir', 10_000)], vouchers: [voucher('KIRIM', 'free_shipping', { priority: 1 })] }),
    expected: { shippingDiscount: rp(30_000), applied: [{ source: 'voucher', id: 'v-KIRIM', code: 'KIRIM', effect: 'free_shipping', amount: rp(30_000) }], rejected: [] },
  },
  {
    name: 'at equal priority the larger shipping discount wins: the voucher\'s whole Rp 30.000 beats the promotion\'s Rp 10.000 cap',
    input: online(30_000, 'JAWA', { promotions: [freeShipping('ongkir', 10_000)], vouchers: [voucher('KIRIM', 'free_shipping')] }),
    expected: { shippingDiscount: rp(30_000), rejected: [] },
  },
  {
    name: 'at equal priority and shipping discount, the promotion wins and the voucher is not_combinable',
    input: online(8_000, 'JAWA', { promotions: [freeShipping('ongkir', 10_000)], vouchers: [voucher('KIRIM', 'free_shipping')] }),
    expected: { shippingDiscount: rp(8_000), applied: [{ source: 'promotion', id: 'ongkir', effect: 'free_shipping', amount: rp(8_000) }], rejected: [{ code: 'KIRIM', reason: 'not_combinable' }] },
  },
  {
    name: 'a loser knocks no one out: the shipping voucher beats the group\'s free-shipping promotion, so the group\'s 10% applies',
    input: online(20_000, 'JAWA', {
      promotions: [freeShipping('ongkir', null, { priority: 5, exclusivityGroup: 'payday' }), percentOff('payday10', 10, { priority: 3, exclusivityGroup: 'payday' })],
      vouchers: [voucher('KIRIM', 'free_shipping', { priority: 10 })],
    }),
    expected: {
      discounts: [{ source: 'promotion', id: 'payday10', amount: rp(10_000) }],
      shippingDiscount: rp(20_000),
      applied: [
        { source: 'promotion', id: 'payday10', effect: 'percent_off', amount: rp(10_000) },
        { source: 'voucher', id: 'v-KIRIM', code: 'KIRIM', effect: 'free_shipping', amount: rp(20_000) },
      ],
    },
  },
  {
    name: 'a free-shipping promotion in a group keeps the group: the group\'s percent promotion is left out',
    input: online(20_000, 'JAWA', { promotions: [freeShipping('ongkir', null, { priority: 5, exclusivityGroup: 'payday' }), percentOff('payday10', 10, { priority: 3, exclusivityGroup: 'payday' })] }),
    expected: { discounts: [], shippingDiscount: rp(20_000) },
  },
  {
    name: 'a promotion that finds nothing left is left out, not listed',
    input: checkout({ promotions: [amountOff('first', 100_000, { priority: 2 }), percentOff('second', 10)] }),
    expected: { discounts: [{ source: 'promotion', id: 'first', amount: rp(100_000) }], applied: [{ source: 'promotion', id: 'first', effect: 'amount_off', amount: rp(100_000) }] },
  },
]);

examples('one discount voucher per order unless groups say otherwise', [
  {
    name: 'two amount vouchers without groups: the larger applies, the other is not_combinable (and not used)',
    input: checkout({ vouchers: [amountVoucher('HEMAT10', 10_000), amountVoucher('HEMAT20', 20_000)] }),
    expected: { discounts: [{ source: 'voucher', id: 'v-HEMAT20', code: 'HEMAT20', amount: rp(20_000) }], rejected: [{ code: 'HEMAT10', reason: 'not_combinable', index: 0 }] },
  },
  {
    name: 'a percent and an amount voucher without groups: 10% of Rp 100.000 is Rp 10.000, the Rp 15.000 voucher is larger and wins',
    input: checkout({ vouchers: [percentVoucher('DISKON10', 10), amountVoucher('HEMAT15', 15_000)] }),
    expected: { goodsDiscount: rp(15_000), rejected: [{ code: 'DISKON10', reason: 'not_combinable' }] },
  },
  {
    name: 'a higher priority wins the default group even when it gives less',
    input: checkout({ vouchers: [percentVoucher('DISKON10', 10, { priority: 1 }), amountVoucher('HEMAT15', 15_000)] }),
    expected: { goodsDiscount: rp(10_000), rejected: [{ code: 'HEMAT15', reason: 'not_combinable' }] },
  },
  {
    name: 'vouchers in distinct groups stack',
    input: checkout({ vouchers: [amountVoucher('HEMAT10', 10_000, { exclusivityGroup: 'a' }), amountVoucher('HEMAT20', 20_000, { exclusivityGroup: 'b' })] }),
    expected: { goodsDiscount: rp(30_000), rejected: [] },
  },
  {
    name: 'free-item and free-shipping vouchers are in no default group: they stack with a discount voucher',
    input: online(20_000, 'JAWA', {
      lines: [line('A', 100_000), line('KOPI', 20_000)],
      vouchers: [amountVoucher('HEMAT10', 10_000), voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI', priority: 1 }), voucher('ONGKIR', 'free_shipping')],
    }),
    expected: { goodsDiscount: rp(30_000), shippingDiscount: rp(20_000), rejected: [] },
  },
  {
    name: 'a promotion is in no default group: a percent promotion and a discount voucher stack',
    input: checkout({ promotions: [percentOff('p10', 10)], vouchers: [amountVoucher('HEMAT10', 10_000), amountVoucher('HEMAT5', 5_000)] }),
    expected: { goodsDiscount: rp(20_000), rejected: [{ code: 'HEMAT5', reason: 'not_combinable' }] },
  },
]);

// Distinct groups: these vouchers are meant to stack.
const twoVouchers = [percentVoucher('DISKON10', 10, { exclusivityGroup: 'percent' }), amountVoucher('HEMAT30', 30_000, { exclusivityGroup: 'amount' })];
const twoVouchersExpected: Partial<PromotionResult> = {
  // By voucherId: v-DISKON10 first (10% of Rp 200.000), then v-HEMAT30 on the Rp 180.000 left.
  discounts: [
    { source: 'voucher', id: 'v-DISKON10', code: 'DISKON10', amount: rp(20_000) },
    { source: 'voucher', id: 'v-HEMAT30', code: 'HEMAT30', amount: rp(30_000) },
  ],
  goodsDiscount: rp(50_000),
  lineDiscounts: [rp(50_000)],
  rejected: [],
};
examples('two vouchers in either order', [
  { name: 'DISKON10 then HEMAT30', input: checkout({ lines: [line('A', 200_000)], vouchers: twoVouchers }), expected: twoVouchersExpected },
  { name: 'HEMAT30 then DISKON10', input: checkout({ lines: [line('A', 200_000)], vouchers: [...twoVouchers].reverse() }), expected: twoVouchersExpected },
  {
    name: 'by priority: HEMAT30 with priority 1 goes first, then 10% of Rp 170.000',
    input: checkout({ lines: [line('A', 200_000)], vouchers: [twoVouchers[0], amountVoucher('HEMAT30', 30_000, { priority: 1, exclusivityGroup: 'amount' })] }),
    expected: { goodsDiscount: rp(47_000) },
  },
]);

examples('free items', [
  {
    name: 'one unit of the cheapest line of the sku, to that line',
    input: checkout({ lines: [line('KOPI', 25_000, 2), line('ROTI', 15_000), line('KOPI', 22_000, 1, { category: 'promo' })], vouchers: [voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI' })] }),
    expected: { goodsDiscount: rp(22_000), lineDiscounts: [0, 0, rp(22_000)] },
  },
  {
    name: 'between equal prices, the line first by (sku, category, amount, quantity), not by position',
    input: checkout({ lines: [line('KOPI', 20_000, 2), line('KOPI', 20_000, 1)], vouchers: [voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI' })] }),
    expected: { lineDiscounts: [0, rp(20_000)] },
  },
  {
    name: 'two free-item vouchers for the same sku: the second takes the next line once the cheapest is free',
    input: checkout({ lines: [line('KOPI', 15_000), line('KOPI', 10_000)], vouchers: [voucher('KOPI1', 'free_item', { sku: 'KOPI' }), voucher('KOPI2', 'free_item', { sku: 'KOPI' })] }),
    expected: {
      discounts: [
        { source: 'voucher', id: 'v-KOPI1', code: 'KOPI1', amount: rp(10_000) },
        { source: 'voucher', id: 'v-KOPI2', code: 'KOPI2', amount: rp(15_000) },
      ],
      lineDiscounts: [rp(15_000), rp(10_000)],
      rejected: [],
    },
  },
  {
    name: 'a free item with a maxDiscount ("a free coffee up to Rp 30.000") on a Rp 45.000 coffee gives Rp 30.000',
    input: checkout({ lines: [line('KOPI', 45_000)], vouchers: [voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI', maxDiscount: rp(30_000) })] }),
    expected: { goodsDiscount: rp(30_000) },
  },
  {
    name: 'a free item with sen is free to the sen',
    input: checkout({ lines: [line('KOPI', 12_345.67, 2)], vouchers: [voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI' })] }),
    expected: { goodsDiscount: 1_234_567 },
  },
  {
    name: 'capped at what is left of its line after a 50% promotion',
    input: checkout({ lines: [line('KOPI', 20_000), line('ROTI', 20_000)], promotions: [percentOff('half', 50, { priority: 1 })], vouchers: [voucher('KOPIGRATIS', 'free_item', { sku: 'KOPI' })] }),
    expected: { goodsDiscount: rp(30_000), lineDiscounts: [rp(20_000), rp(10_000)] },
  },
]);

describe('points earned after discounts', () => {
  it('leaves each line the goods the earning engine earns on, and passes bonus points through', () => {
    // Lines: 2 × KOPI at Rp 30.000 and one ROTI at Rp 40.000. The free ROTI (priority 1) goes
    // first and to its line; 10% of the Rp 60.000 left goes to KOPI.
    const input = checkout({
      lines: [line('KOPI', 30_000, 2), line('ROTI', 40_000)],
      promotions: [percentOff('p10', 10), promo('double', { type: 'bonus_points', points: 50, multiplier: 2 })],
      vouchers: [voucher('ROTIGRATIS', 'free_item', { sku: 'ROTI', priority: 1 })],
    });
    const result = evaluate(input);
    expect(result).toMatchObject({
      goodsDiscount: rp(46_000),
      lineDiscounts: [rp(6_000), rp(40_000)],
      points: { bonus: [{ promotionId: 'double', points: 50 }], multipliers: [{ promotionId: 'double', multiplier: 2 }] },
    });
    expect(result.applied.map((a) => [a.id, a.effect, a.amount])).toEqual([
      ['v-ROTIGRATIS', 'free_item', rp(40_000)],
      ['p10', 'percent_off', rp(6_000)],
      ['double', 'bonus_points', 0],
    ]);

    // One point per Rp 10.000 paid: Rp 54.000 on KOPI earns 5, the free ROTI nothing.
    const earning = earnPoints({
      rules: [{ id: 'base', name: 'Base', priority: 0, exclusivityGroup: null, conditions: {}, effect: { type: 'base', spendPerPoint: rp(10_000), rounding: 'floor' } }],
      lines: input.lines.map((l, i) => ({ sku: l.sku, category: l.category, quantity: l.quantity, amount: l.amount - result.lineDiscounts[i] })),
      at: input.at,
      timeZone: input.timeZone,
      storeId: input.storeId,
      channel: input.channel,
      member: { tierCode: 'silver', tierName: 'Silver', tierMultiplier: 1, isFirstPurchase: false, pointsEarnedToday: 0 },
    });
    expect(earning.linePoints).toEqual([5, 0]);
  });
});

examples('rounding of IDR amounts', [
  { name: '15% of Rp 33.333 = Rp 4.999,95 is Rp 4.999', input: checkout({ lines: [line('A', 33_333)], promotions: [percentOff('p15', 15)] }), expected: { goodsDiscount: rp(4_999) } },
  { name: '7% of Rp 10.001 = Rp 700,07 is Rp 700', input: checkout({ lines: [line('A', 10_001)], promotions: [percentOff('p7', 7)] }), expected: { goodsDiscount: rp(700) } },
  { name: 'an amount of Rp 10.000,50 gives Rp 10.000', input: checkout({ vouchers: [voucher('ODD', 'amount', { value: 1_000_050 })] }), expected: { goodsDiscount: rp(10_000) } },
  {
    name: '1% of Rp 50 is Rp 0,50, which rounds to nothing: the voucher is not_eligible and not spent',
    input: checkout({ lines: [line('PERMEN', 50)], vouchers: [percentVoucher('SATU', 1)] }),
    expected: { goodsDiscount: 0, rejected: [{ code: 'SATU', reason: 'not_eligible' }] },
  },
  {
    name: 'Rp 10.000 over three Rp 10.000 lines: 333.333 minor units each, the odd one to the line first by sku (A), wherever it is',
    input: checkout({ lines: [line('C', 10_000), line('A', 10_000), line('B', 10_000)], promotions: [amountOff('a10', 10_000)] }),
    expected: { lineDiscounts: [333_333, 333_334, 333_333] },
  },
  {
    name: 'a different currency factor: with minorPerUnit 1, 15% of 33.333 is 4.999',
    input: checkout({ minorPerUnit: 1, lines: [line('A', 333.33)], promotions: [percentOff('p15', 15)] }),
    expected: { goodsDiscount: 4_999 },
  },
]);

examples('exact arithmetic beyond double precision', [
  {
    name: 'Rp 10 billion off three lines of about Rp 10 billion each: shares exact to the minor unit',
    input: checkout({ lines: [{ ...line('A', 0), amount: 1e12 + 1 }, { ...line('B', 0), amount: 1e12 }, { ...line('C', 0), amount: 1e12 - 1 }], promotions: [promo('big', { type: 'amount_off', value: 1e12 })] }),
    expected: { goodsDiscount: 1e12, lineDiscounts: [333_333_333_334, 333_333_333_333, 333_333_333_333] },
  },
  {
    name: '7% of 123.456.789.012.345 minor units is 8.641.975.230.864,15, rounded down to whole rupiah',
    input: checkout({ lines: [{ ...line('A', 0), amount: 123_456_789_012_345 }], promotions: [percentOff('p7', 7)] }),
    expected: { goodsDiscount: 8_641_975_230_800 },
  },
]);

describe('determinism', () => {
  it('gives the same result for the same input, and does not change the input', () => {
    const input = checkout({
      lines: [line('A', 40_000), line('B', 60_000)],
      promotions: [percentOff('p10', 10), freeShipping('ongkir', 5_000)],
      vouchers: [amountVoucher('HEMAT', 5_000), unknownCode('X')],
      channel: 'online',
      shipping: { fee: rp(9_000), region: 'JAWA' },
    });
    const copy = structuredClone(input);
    expect(evaluate(input)).toEqual(evaluate(input));
    expect(input).toEqual(copy);
  });
});

examples('refused codes say where they were typed', [
  {
    name: 'the same code twice: the second one (index 1) is not_combinable',
    input: checkout({ vouchers: [amountVoucher('TWICE', 10_000), amountVoucher('TWICE', 10_000)] }),
    expected: { goodsDiscount: rp(10_000), rejected: [{ code: 'TWICE', reason: 'not_combinable', index: 1 }] },
  },
]);
