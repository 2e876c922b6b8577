import { describe, expect, it } from 'vitest';
import { chooseOffers, isSuggested, type OfferRule } from '../../api/src/offers/offer-engine.ts';

const at = new Date('2026-12-10T10:00:00+07:00');
const offer = (id: string, over: Partial<OfferRule> = {}): OfferRule => ({
  id, trigger: { skus: ['KOPI-250'] }, suggestion: { sku: 'V60' }, segment: null, priority: 0, maxShows: 3,
  startsAt: new Date('2026-12-01T00:00:00+07:00'), endsAt: new Date('2026-12-31T23:59:59.999+07:00'), ...over,
});
const ctx = (over: Partial<Parameters<typeof chooseOffers>[1]> = {}) => ({ at, cart: [], history: [], segments: [], shows: new Map<string, number>(), ...over });
const kopi = { sku: 'KOPI-250', category: 'kopi' };
const ids = (offers: OfferRule[]) => offers.map((o) => o.id);

describe('chooseOffers', () => {
  it('offers what the cart or the history triggers, by SKU or category', () => {
    const byCategory = offer('b', { trigger: { categories: ['kopi'] } });
    expect(ids(chooseOffers([offer('a'), byCategory], ctx({ cart: [kopi] })))).toEqual(['a', 'b']);
    expect(ids(chooseOffers([offer('a')], ctx({ history: [kopi] })))).toEqual(['a']);
    expect(chooseOffers([offer('a')], ctx({ cart: [{ sku: 'TEH-50', category: 'teh' }] }))).toEqual([]);
  });

  it('is live from its first to its last instant, both inclusive', () => {
    const o = offer('a');
    expect(chooseOffers([o], ctx({ cart: [kopi], at: o.startsAt }))).toHaveLength(1);
    expect(chooseOffers([o], ctx({ cart: [kopi], at: o.endsAt }))).toHaveLength(1);
    expect(chooseOffers([o], ctx({ cart: [kopi], at: new Date(o.endsAt.getTime() + 1) }))).toHaveLength(0);
    expect(chooseOffers([o], ctx({ cart: [kopi], at: new Date(o.startsAt.getTime() - 1) }))).toHaveLength(0);
  });

  it('respects the segment, the showing cap, and leaves out what the cart already has', () => {
    expect(chooseOffers([offer('a', { segment: 'vip' })], ctx({ cart: [kopi] }))).toEqual([]);
    expect(chooseOffers([offer('a', { segment: 'vip' })], ctx({ cart: [kopi], segments: ['vip'] }))).toHaveLength(1);
    expect(chooseOffers([offer('a')], ctx({ cart: [kopi], shows: new Map([['a', 2]]) }))).toHaveLength(1);
    expect(chooseOffers([offer('a')], ctx({ cart: [kopi], shows: new Map([['a', 3]]) }))).toHaveLength(0);
    expect(chooseOffers([offer('a')], ctx({ cart: [kopi, { sku: 'V60', category: 'alat' }] }))).toHaveLength(0);
  });

  it('ranks by priority, then cart before history, then id, and shows at most the limit', () => {
    const offers = [
      offer('d', { trigger: { skus: ['TEH-50'] } }),
      offer('c'),
      offer('b', { priority: 5, trigger: { skus: ['TEH-50'] } }),
      offer('a', { trigger: { skus: ['TEH-50'] } }),
    ];
    const context = ctx({ cart: [kopi], history: [{ sku: 'TEH-50', category: 'teh' }] });
    expect(ids(chooseOffers(offers, context, 10))).toEqual(['b', 'c', 'a', 'd']);
    expect(ids(chooseOffers(offers, context))).toEqual(['b', 'c', 'a']);
  });
});

describe('isSuggested', () => {
  it('matches the suggested SKU, or any item of the suggested category', () => {
    expect(isSuggested({ sku: 'V60' }, { sku: 'V60', category: null })).toBe(true);
    expect(isSuggested({ sku: 'V60' }, { sku: 'V61', category: 'alat' })).toBe(false);
    expect(isSuggested({ category: 'alat' }, { sku: 'V61', category: 'alat' })).toBe(true);
    expect(isSuggested({ category: 'alat' }, { sku: 'V61', category: null })).toBe(false);
  });
});
