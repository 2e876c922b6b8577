import { describe, expect, it } from 'vitest';
import { describePromotion, type DescribablePromotion, type SummaryOptions } from '../../api/client/promotion-summary.ts';

const rp = (rupiah: number) => rupiah * 100;
const options: Omit<SummaryOptions, 'locale'> = {
  currency: 'IDR',
  tierNames: { gold: 'Gold', platinum: 'Platinum' },
  storeNames: { s1: 'Toko Kemang', s2: 'Toko Blok M' },
  timeZone: 'Asia/Jakarta',
  now: new Date('2026-11-15T12:00:00+07:00'),
};
const DECEMBER = { startsAt: '2026-12-01T00:00:00+07:00', endsAt: '2026-12-31T23:59:59+07:00' };

const say = (promotion: DescribablePromotion, extra: Partial<SummaryOptions> = {}) => ({
  id: describePromotion(promotion, { ...options, locale: 'id', ...extra }),
  en: describePromotion(promotion, { ...options, locale: 'en', ...extra }),
});

describe('describePromotion', () => {
  it('reads the issue’s example, with "from" because the minimum spend is included', () => {
    expect(say({
      ...DECEMBER,
      conditions: { tiers: ['gold'], channels: ['online'], minSpend: rp(150_000) },
      effect: { type: 'free_shipping', maxDiscount: rp(20_000) },
    })).toEqual({
      id: 'Gratis ongkir hingga Rp 20.000 untuk member Gold, pesanan online min. belanja Rp 150.000, 1–31 Des',
      en: 'Free shipping up to Rp 20.000 for Gold members, online orders from Rp 150.000, 1–31 Dec',
    });
  });

  it('says a percent with its cap, across months within the year', () => {
    expect(say({
      startsAt: '2026-11-20T00:00:00+07:00', endsAt: '2026-12-05T23:59:59+07:00',
      effect: { type: 'percent_off', value: 10, maxDiscount: rp(50_000) },
    })).toEqual({ id: 'Diskon 10% hingga Rp 50.000, 20 Nov – 5 Des', en: '10% off up to Rp 50.000, 20 Nov – 5 Dec' });
  });

  it('gives both years when the window spans the new year', () => {
    expect(say({
      startsAt: '2026-12-20T00:00:00+07:00', endsAt: '2027-01-05T23:59:59+07:00',
      conditions: { minSpend: rp(100_000) },
      effect: { type: 'amount_off', value: rp(25_000) },
    })).toEqual({
      id: 'Potongan Rp 25.000, min. belanja Rp 100.000, 20 Des 2026 – 5 Jan 2027',
      en: 'Rp 25.000 off, orders from Rp 100.000, 20 Dec 2026 – 5 Jan 2027',
    });
  });

  it('gives the year of a window in another year, and not of one in this year', () => {
    const march = { startsAt: '2027-03-01T00:00:00+07:00', endsAt: '2027-03-31T23:59:59+07:00', effect: { type: 'percent_off', value: 5 } } as const;
    expect(say(march)).toEqual({ id: 'Diskon 5%, 1–31 Mar 2027', en: '5% off, 1–31 Mar 2027' });
    expect(say(march, { now: new Date('2027-02-01T00:00:00+07:00') })).toEqual({ id: 'Diskon 5%, 1–31 Mar', en: '5% off, 1–31 Mar' });
  });

  it('reads the dates on the tenant’s clock, not UTC', () => {
    // 1 Dec 00:00 in Jakarta is 30 Nov in UTC; in Makassar (UTC+8) the same instants are 1 Dec 01:00 – 1 Jan 00:59.
    expect(say({ ...DECEMBER, effect: { type: 'free_shipping' } }).en).toBe('Free shipping, 1–31 Dec');
    expect(say({ ...DECEMBER, effect: { type: 'free_shipping' } }, { timeZone: 'Asia/Makassar' }).en).toBe(
      'Free shipping, 1 Dec 2026 01:00 – 1 Jan 2027 00:59',
    );
  });

  it('says an open end, and an open start', () => {
    expect(say({ startsAt: '2026-12-01T00:00:00+07:00', effect: { type: 'free_shipping' } })).toEqual({
      id: 'Gratis ongkir, mulai 1 Des',
      en: 'Free shipping, from 1 Dec',
    });
    expect(say({ endsAt: '2027-01-31T23:59:59+07:00', effect: { type: 'percent_off', value: 100 } })).toEqual({
      id: 'Diskon 100%, sampai 31 Jan 2027',
      en: '100% off, until 31 Jan 2027',
    });
    expect(say({ startsAt: '2026-12-01T09:30:00+07:00', effect: { type: 'free_shipping' } }).en).toBe('Free shipping, from 1 Dec 09:30');
    expect(say({ effect: { type: 'free_shipping' } })).toEqual({ id: 'Gratis ongkir', en: 'Free shipping' });
  });

  it('shows the times of a window that is not whole days', () => {
    expect(say({ startsAt: '2026-12-01T08:00:00+07:00', endsAt: '2026-12-01T17:00:00+07:00', effect: { type: 'amount_off', value: rp(10_000) } })).toEqual({
      id: 'Potongan Rp 10.000, 1 Des 08.00–17.00',
      en: 'Rp 10.000 off, 1 Dec 08:00–17:00',
    });
    expect(say({ startsAt: '2026-12-01T10:00:00+07:00', endsAt: '2026-12-02T22:00:59+07:00', effect: { type: 'free_shipping' } })).toEqual({
      id: 'Gratis ongkir, 1 Des 10.00 – 2 Des 22.00',
      en: 'Free shipping, 1 Dec 10:00 – 2 Dec 22:00',
    });
    expect(say({ startsAt: '2026-12-24T00:00:00+07:00', endsAt: '2026-12-24T23:59:59+07:00', effect: { type: 'free_shipping' } }).id).toBe('Gratis ongkir, 24 Des');
  });

  it('says bonus points, a multiplier, and both', () => {
    expect(say({ ...DECEMBER, conditions: { firstPurchaseOnly: true }, effect: { type: 'bonus_points', points: 1000 } })).toEqual({
      id: 'Bonus 1.000 poin, khusus pembelian pertama, 1–31 Des',
      en: '1,000 bonus points, first purchase only, 1–31 Dec',
    });
    expect(say({ effect: { type: 'bonus_points', multiplier: 1.5 } })).toEqual({ id: 'Poin ×1,5', en: '×1.5 points' });
    expect(say({ effect: { type: 'bonus_points', points: 50, multiplier: 2 } })).toEqual({
      id: 'Poin ×2 + bonus 50 poin',
      en: '×2 points + 50 bonus points',
    });
  });

  it('names stores, regions, tiers, segments and the in-store channel, unknown ones as such', () => {
    expect(say({
      conditions: { stores: ['s1', 's2'], regions: ['Bali', 'NTB'], tiers: ['gold', 'platinum', 'silver'], segments: ['vip'], channels: ['store'] },
      effect: { type: 'percent_off', value: 15 },
    })).toEqual({
      id: 'Diskon 15% untuk member Gold, Platinum, atau silver, khusus segmen vip, pembelian di toko, di Toko Kemang atau Toko Blok M, pengiriman ke Bali atau NTB',
      en: '15% off for Gold, Platinum or silver members, segment vip only, in-store purchases, at Toko Kemang or Toko Blok M, shipping to Bali or NTB',
    });
    expect(say({ conditions: { stores: ['gone'], channels: ['store', 'online'] }, effect: { type: 'free_shipping' } })).toEqual({
      id: 'Gratis ongkir, di toko tidak dikenal',
      en: 'Free shipping, at an unknown store',
    });
  });

  it('says days as runs and hours on the local clock, every day saying nothing', () => {
    expect(say({ conditions: { daysOfWeek: [6, 7], hours: { from: '10:00', to: '14:00' } }, effect: { type: 'free_shipping' } })).toEqual({
      id: 'Gratis ongkir, setiap Sab–Min pukul 10.00–14.00',
      en: 'Free shipping, on Sat–Sun 10:00–14:00',
    });
    expect(say({ conditions: { daysOfWeek: [5, 1, 3], hours: { from: '22:00', to: '02:00' } }, effect: { type: 'free_shipping' } })).toEqual({
      id: 'Gratis ongkir, setiap Sen, Rab, Jum pukul 22.00–02.00',
      en: 'Free shipping, on Mon, Wed, Fri 22:00–02:00',
    });
    expect(say({ conditions: { daysOfWeek: [1, 2, 3, 4, 5, 6, 7] }, effect: { type: 'free_shipping' } }).en).toBe('Free shipping');
  });
});
