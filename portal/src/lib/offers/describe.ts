// An up-sell or cross-sell offer in one sentence of the current language: "Members who bought kopi
// (category) get “Brew it with a V60…” for Dripper V60 with Rp 20.000 off, at most 3 times a week,
// 1–31 Dec 2026." The words follow the API's semantics (api/src/offers/offer-engine.ts); an offer
// still being typed is described as far as it goes.
import { formatMoney, formatPoints, type components } from '@kartu/api/client';
import { i18n, t } from '$lib/i18n.svelte';
import { describeVoucher, type VoucherTerms } from '$lib/vouchers/voucher-terms';

export type Offer = components['schemas']['Offer'];
export type OfferSuggestion = components['schemas']['OfferSuggestion'];
export type OfferTrigger = components['schemas']['OfferTrigger'];
export type ShownOffer = components['schemas']['ShownOffer'];

/** The offer's fields a sentence needs; any of them may still be missing while typing. */
export interface DescribableOffer {
  trigger: OfferTrigger;
  suggestion: OfferSuggestion;
  message: { id: string; en: string };
  voucher?: Partial<VoucherTerms> | null;
  bonusPoints?: number | null;
  segment?: string | null;
  startsAt: string | null;
  endsAt: string | null;
  maxShows?: number;
  capDays?: number;
  conversionDays?: number;
}

export interface DescribeOfferContext {
  locale: string;
  currency: string;
  timeZone: string;
  segmentNames?: ReadonlyMap<string, string>;
}

const intlLocale = (locale: string) => (locale === 'id' ? 'id-ID' : 'en-GB');

/** What the till and the app call the suggested item: its name, else its SKU, else its category. */
export function itemName(suggestion: OfferSuggestion): string {
  return suggestion.name?.trim() || suggestion.sku || suggestion.category || '…';
}

/** The offer's message in the given language, falling back to the other one. */
export function messageIn(message: { id: string; en: string }, locale: string = i18n.locale): string {
  return (locale === 'id' ? message.id || message.en : message.en || message.id).trim();
}

/** At most `max` characters, cut at a word where there is one, an ellipsis marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?—–-]+$/, '')}…`;
}

/** A ratio (0.125) as a percentage ("12,5%"), at most one decimal. */
export function percent(ratio: number, locale: string): string {
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** A decimal such as a lift (2.1667 → "2,17"). */
export function decimal(value: number, locale: string, digits = 2): string {
  return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: digits }).format(value);
}

/** "1–31 Dec 2026" (or "28 Nov – 3 Dec 2026") on the tenant's calendar. */
export function dayRange(from: string | Date, to: string | Date, timeZone: string, locale: string): string {
  const format = new Intl.DateTimeFormat(intlLocale(locale), { day: 'numeric', month: 'short', year: 'numeric', timeZone });
  const start = new Date(from);
  const end = new Date(to);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return '';
  return end < start ? format.format(start) : format.formatRange(start, end);
}

/** The trigger as "KOPI-250 or kopi (category)". */
export function triggerText(trigger: OfferTrigger, locale: string): string {
  const items = [
    ...(trigger.skus ?? []),
    ...(trigger.categories ?? []).map((category) => t('offerSummary.category', { category })),
  ];
  return items.length ? new Intl.ListFormat(intlLocale(locale), { type: 'disjunction' }).format(items) : '';
}

/** The suggestion as "Dripper V60" or "dripper (category)". */
export function suggestionText(suggestion: OfferSuggestion): string {
  if (suggestion.name?.trim() || suggestion.sku) return itemName(suggestion);
  return suggestion.category ? t('offerSummary.category', { category: suggestion.category }) : '…';
}

/** What a voucher gives, as a phrase inside a sentence ("Rp 20.000 off, min. spend Rp 100.000"). */
function voucherPhrase(voucher: Partial<VoucherTerms>, currency: string, locale: string): string | null {
  if (!voucher.kind) return null;
  const money = (minor: number) => formatMoney(minor, currency, locale);
  let gives: string;
  switch (voucher.kind) {
    case 'amount':
      if (!voucher.value) return null;
      gives = t('offerSummary.voucher.amount', { amount: money(voucher.value) });
      break;
    case 'percent':
      if (!voucher.value) return null;
      gives = t('offerSummary.voucher.percent', { percent: voucher.value });
      break;
    case 'free_shipping':
      gives = t('offerSummary.voucher.free_shipping');
      break;
    case 'free_item':
      gives = t('offerSummary.voucher.free_item', { sku: voucher.sku || '…' });
      break;
  }
  if (voucher.maxDiscount && (voucher.kind === 'percent' || voucher.kind === 'free_shipping')) {
    gives += t('voucherTerms.cap', { amount: money(voucher.maxDiscount) });
  }
  if (voucher.minSpend) gives += t('voucherTerms.minSpend', { amount: money(voucher.minSpend) });
  return gives;
}

/** A voucher's terms for a list ("Rp 20.000 off, min. spend Rp 100.000"), as vouchers are described elsewhere. */
export function voucherText(voucher: { kind: string; value?: number | null; maxDiscount?: number | null; sku?: string | null; minSpend?: number | null }, currency: string, locale: string) {
  return describeVoucher(voucher as VoucherTerms, currency, locale);
}

function capText(maxShows: number, capDays: number, locale: string): string {
  const number = (n: number) => new Intl.NumberFormat(intlLocale(locale)).format(n);
  const times = maxShows === 1 ? t('offerSummary.once') : t('offerSummary.times', { count: number(maxShows) });
  const period =
    capDays === 1 ? t('offerSummary.perDay') : capDays === 7 ? t('offerSummary.perWeek') : t('offerSummary.perDays', { days: number(capDays) });
  return t('offerSummary.cap', { times, period });
}

export function describeOffer(offer: DescribableOffer, ctx: DescribeOfferContext): string {
  const trigger = triggerText(offer.trigger, ctx.locale);
  let text = trigger ? t('offerSummary.who', { trigger }) : t('offerSummary.whoUnknown');
  if (offer.segment) text += t('offerSummary.inSegment', { segment: ctx.segmentNames?.get(offer.segment) ?? offer.segment });
  const message = messageIn(offer.message, ctx.locale);
  text += message ? t('offerSummary.get', { message: clip(message, 48) }) : t('offerSummary.getNoMessage');
  text += t('offerSummary.suggesting', { item: suggestionText(offer.suggestion) });

  const extras = [
    offer.voucher ? voucherPhrase(offer.voucher, ctx.currency, ctx.locale) : null,
    offer.bonusPoints ? t('offerSummary.points', { points: formatPoints(offer.bonusPoints, ctx.locale) }) : null,
  ].filter((part): part is string => !!part);
  if (extras.length) text += t('offerSummary.with', { extras: new Intl.ListFormat(intlLocale(ctx.locale), { type: 'conjunction' }).format(extras) });

  if (offer.maxShows && offer.capDays) text += capText(offer.maxShows, offer.capDays, ctx.locale);
  const range = offer.startsAt && offer.endsAt ? dayRange(offer.startsAt, offer.endsAt, ctx.timeZone, ctx.locale) : '';
  text += range ? t('offerSummary.window', { range }) : t('offerSummary.noWindow');
  if (offer.conversionDays) {
    text += offer.conversionDays === 1 ? t('offerSummary.conversionOne') : t('offerSummary.conversion', { days: offer.conversionDays });
  }
  return text;
}
