// A promotion in one plain sentence, for the portal's list and its builder:
//   "Gratis ongkir hingga Rp 20.000 untuk member Gold, pesanan online min. belanja Rp 150.000, 1–31 Des"
//   "Free shipping up to Rp 20.000 for Gold members, online orders from Rp 150.000, 1–31 Dec"
// It says what the engine does (api/src/promotions/promotion-engine.ts): minSpend is inclusive, so
// "from" and "min.", never "over"; both ends of the window are included. Dates and hours are on the
// tenant's wall clock; the year is shown only when it is not the current one.
import { interpolate, type Locale } from './i18n.ts';
import { formatMoney, formatPoints } from './format.ts';

export interface DescribablePromotion {
  /** ISO instants, inclusive; a draft may not have them yet. */
  startsAt?: string | null;
  endsAt?: string | null;
  conditions?: {
    minSpend?: number;
    tiers?: string[];
    segments?: string[];
    channels?: ('store' | 'online')[];
    regions?: string[];
    stores?: string[];
    firstPurchaseOnly?: boolean;
    daysOfWeek?: number[];
    hours?: { from: string; to: string };
  };
  effect:
    | { type: 'free_shipping'; maxDiscount?: number | null }
    | { type: 'percent_off'; value: number; maxDiscount?: number | null }
    | { type: 'amount_off'; value: number }
    | { type: 'bonus_points'; points?: number | null; multiplier?: number | null };
}

export interface SummaryOptions {
  locale: Locale;
  currency: string;
  /** Tier code → name. */
  tierNames: Record<string, string>;
  /** Store id → name. */
  storeNames: Record<string, string>;
  /** The tenant's IANA zone. */
  timeZone: string;
  /** Decides whether a year needs saying; default now. */
  now?: Date;
}

const phrases = {
  id: {
    freeShipping: 'Gratis ongkir',
    percentOff: 'Diskon {value}%',
    upTo: '{effect} hingga {amount}',
    amountOff: 'Potongan {amount}',
    bonusPoints: 'Bonus {points} poin',
    multiplier: 'Poin ×{multiplier}',
    multiplierAndPoints: 'Poin ×{multiplier} + bonus {points} poin',
    forTiers: '{effect} untuk member {tiers}',
    segments: 'khusus segmen {segments}',
    firstPurchase: 'khusus pembelian pertama',
    online: 'pesanan online',
    store: 'pembelian di toko',
    minSpend: 'min. belanja {amount}',
    channelMinSpend: '{channel} min. belanja {amount}',
    stores: 'di {stores}',
    regions: 'pengiriman ke {regions}',
    days: 'setiap {days}',
    hours: 'pukul {from}–{to}',
    from: 'mulai {date}',
    until: 'sampai {date}',
    unknownStore: 'toko tidak dikenal',
  },
  en: {
    freeShipping: 'Free shipping',
    percentOff: '{value}% off',
    upTo: '{effect} up to {amount}',
    amountOff: '{amount} off',
    bonusPoints: '{points} bonus points',
    multiplier: '×{multiplier} points',
    multiplierAndPoints: '×{multiplier} points + {points} bonus points',
    forTiers: '{effect} for {tiers} members',
    segments: 'segment {segments} only',
    firstPurchase: 'first purchase only',
    online: 'online orders',
    store: 'in-store purchases',
    minSpend: 'orders from {amount}',
    channelMinSpend: '{channel} from {amount}',
    stores: 'at {stores}',
    regions: 'shipping to {regions}',
    days: 'on {days}',
    hours: '{from}–{to}',
    from: 'from {date}',
    until: 'until {date}',
    unknownStore: 'an unknown store',
  },
} satisfies Record<Locale, Record<string, string>>;

type Phrase = keyof (typeof phrases)['en'];

const intlLocale = (locale: Locale) => (locale === 'id' ? 'id-ID' : 'en-GB');

export function describePromotion(promotion: DescribablePromotion, options: SummaryOptions): string {
  const say = (phrase: Phrase, params: Record<string, string | number> = {}) => interpolate(phrases[options.locale][phrase], params);
  const money = (minor: number) => formatMoney(minor, options.currency, options.locale);
  const either = (items: string[]) => new Intl.ListFormat(intlLocale(options.locale), { type: 'disjunction' }).format(items);
  const c = promotion.conditions ?? {};

  let effect = describeEffect(promotion.effect, options, say, money);
  if (c.tiers?.length) effect = say('forTiers', { effect, tiers: either(c.tiers.map((code) => options.tierNames[code] ?? code)) });
  const parts = [effect];
  if (c.segments?.length) parts.push(say('segments', { segments: either(c.segments) }));
  if (c.firstPurchaseOnly) parts.push(say('firstPurchase'));

  const channel = c.channels?.length === 1 ? say(c.channels[0]) : null;
  if (channel && c.minSpend) parts.push(say('channelMinSpend', { channel, amount: money(c.minSpend) }));
  else if (channel) parts.push(channel);
  else if (c.minSpend) parts.push(say('minSpend', { amount: money(c.minSpend) }));

  if (c.stores?.length) parts.push(say('stores', { stores: either(c.stores.map((id) => options.storeNames[id] ?? say('unknownStore'))) }));
  if (c.regions?.length) parts.push(say('regions', { regions: either(c.regions) }));

  const weekly: string[] = [];
  if (c.daysOfWeek?.length && new Set(c.daysOfWeek).size < 7) weekly.push(say('days', { days: describeDays(c.daysOfWeek, options.locale) }));
  if (c.hours) weekly.push(say('hours', { from: clockText(c.hours.from, options.locale), to: clockText(c.hours.to, options.locale) }));
  if (weekly.length) parts.push(weekly.join(' '));

  const window = describeWindow(promotion.startsAt ?? null, promotion.endsAt ?? null, options, say);
  if (window) parts.push(window);
  return parts.join(', ');
}

function describeEffect(
  effect: DescribablePromotion['effect'],
  options: SummaryOptions,
  say: (phrase: Phrase, params?: Record<string, string | number>) => string,
  money: (minor: number) => string,
): string {
  const capped = (text: string, cap: number | null | undefined) => (cap ? say('upTo', { effect: text, amount: money(cap) }) : text);
  switch (effect.type) {
    case 'free_shipping':
      return capped(say('freeShipping'), effect.maxDiscount);
    case 'percent_off':
      return capped(say('percentOff', { value: effect.value }), effect.maxDiscount);
    case 'amount_off':
      return say('amountOff', { amount: money(effect.value) });
    case 'bonus_points': {
      const points = effect.points ? formatPoints(effect.points, options.locale) : null;
      const multiplier = effect.multiplier
        ? new Intl.NumberFormat(intlLocale(options.locale), { maximumFractionDigits: 2 }).format(effect.multiplier)
        : null;
      if (multiplier && points) return say('multiplierAndPoints', { multiplier, points });
      if (multiplier) return say('multiplier', { multiplier });
      return say('bonusPoints', { points: points ?? '0' });
    }
  }
}

/** Days as runs: [6, 7] → "Sab–Min", [1, 3, 5] → "Sen, Rab, Jum". */
function describeDays(days: number[], locale: Locale): string {
  const name = (day: number) =>
    // 1 January 2024 was a Monday.
    new Intl.DateTimeFormat(intlLocale(locale), { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, day)));
  const runs: number[][] = [];
  for (const day of [...new Set(days)].sort((a, b) => a - b)) {
    const run = runs.at(-1);
    if (run && run[run.length - 1] === day - 1) run.push(day);
    else runs.push([day]);
  }
  return runs.map((run) => (run.length === 1 ? name(run[0]) : `${name(run[0])}–${name(run[run.length - 1])}`)).join(', ');
}

/** '14:00' as the locale writes it: 14.00 in Indonesian. */
const clockText = (hhmm: string, locale: Locale) => (locale === 'id' ? hhmm.replace(':', '.') : hhmm);

interface LocalMoment {
  year: string;
  month: string;
  day: string;
  /** 'HH:MM' on the wall clock. */
  time: string;
  /** For comparing calendar days. */
  date: string;
}

function localMoment(iso: string, options: SummaryOptions): LocalMoment | null {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  const parts = new Intl.DateTimeFormat(intlLocale(options.locale), {
    timeZone: options.timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour').padStart(2, '0')}:${part('minute')}`;
  return { year: part('year'), month: part('month'), day: part('day'), time, date: `${part('year')}-${part('month')}-${part('day')}` };
}

/**
 * "1–31 Des", "20 Nov – 5 Des", "20 Des 2026 – 5 Jan 2027", "1 Des 10.00 – 2 Des 22.00",
 * "mulai 1 Des"; whole days (from 00:00, until 23:59) read without their times.
 */
function describeWindow(
  startsAt: string | null,
  endsAt: string | null,
  options: SummaryOptions,
  say: (phrase: Phrase, params?: Record<string, string | number>) => string,
): string | null {
  const start = startsAt ? localMoment(startsAt, options) : null;
  const end = endsAt ? localMoment(endsAt, options) : null;
  const thisYear = localMoment((options.now ?? new Date()).toISOString(), options)!.year;
  const clock = (m: LocalMoment) => clockText(m.time, options.locale);
  const dayMonth = (m: LocalMoment) => `${m.day} ${m.month}`;
  const withYear = (m: LocalMoment, year: boolean) => (year ? `${dayMonth(m)} ${m.year}` : dayMonth(m));

  if (!start || !end) {
    const only = start ?? end;
    if (!only) return null;
    const wholeDay = only.time === (start ? '00:00' : '23:59');
    const date = withYear(only, only.year !== thisYear);
    return say(start ? 'from' : 'until', { date: wholeDay ? date : `${date} ${clock(only)}` });
  }

  const sameYear = start.year === end.year;
  const showYear = !sameYear || start.year !== thisYear;
  if (start.time === '00:00' && end.time === '23:59') {
    if (start.date === end.date) return withYear(start, showYear);
    if (sameYear && start.month === end.month) return `${start.day}–${withYear(end, showYear)}`;
    return `${withYear(start, !sameYear)} – ${withYear(end, showYear)}`;
  }
  if (start.date === end.date) return `${withYear(start, showYear)} ${clock(start)}–${clock(end)}`;
  return `${withYear(start, showYear)} ${clock(start)} – ${withYear(end, showYear)} ${clock(end)}`;
}
