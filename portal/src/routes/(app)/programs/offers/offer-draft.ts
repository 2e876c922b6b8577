// The offer editor's fields as typed, and what they mean: the request body, the fields that are
// wrong (keyed as the API keys them: "trigger.skus", "message.en", "voucher.value"), and a
// best-effort offer for the live summary while typing.
import type { components } from '@kartu/api/client';
import { wholeNumber, type FieldErrors } from '$lib/forms';
import { t } from '$lib/i18n.svelte';
import type { DescribableOffer, Offer } from '$lib/offers/describe';
import { fromLocalInput, toLocalInput } from '$lib/time';
import { emptyTerms, readTerms, termsDraftOf, type TermsDraft, type VoucherTerms } from '$lib/vouchers/voucher-terms';

export type { Offer };
export type OfferBody = components['schemas']['OfferInput'];
export type OfferKind = Offer['kind'];
export const offerKinds: readonly OfferKind[] = ['cross_sell', 'up_sell'];

export const MESSAGE_MAX = 280;

export interface OfferDraft {
  name: string;
  kind: OfferKind;
  triggerSkus: string[];
  triggerCategories: string[];
  suggestionSku: string;
  suggestionCategory: string;
  suggestionName: string;
  messageId: string;
  messageEn: string;
  withVoucher: boolean;
  terms: TermsDraft;
  validDays: string;
  bonusPoints: string;
  segment: string;
  startsAt: string;
  endsAt: string;
  maxShows: string;
  capDays: string;
  conversionDays: string;
  priority: string;
}

type StoredVoucher = VoucherTerms & { validDays?: number };

/** Today 00:00 on the tenant's clock, as a datetime-local value. */
const startOfToday = (timeZone: string) => `${toLocalInput(new Date().toISOString(), timeZone).slice(0, 10)}T00:00`;
/** The end of the day 30 days on, as a datetime-local value. */
const endIn30Days = (timeZone: string) => `${toLocalInput(new Date(Date.now() + 30 * 86400e3).toISOString(), timeZone).slice(0, 10)}T23:59`;

export function draftOf(offer: Offer | undefined, timeZone: string): OfferDraft {
  const voucher = offer?.voucher as StoredVoucher | null | undefined;
  return {
    name: offer?.name ?? '',
    kind: offer?.kind ?? 'cross_sell',
    triggerSkus: [...(offer?.trigger.skus ?? [])],
    triggerCategories: [...(offer?.trigger.categories ?? [])],
    suggestionSku: offer?.suggestion.sku ?? '',
    suggestionCategory: offer?.suggestion.category ?? '',
    suggestionName: offer?.suggestion.name ?? '',
    messageId: offer?.message.id ?? '',
    messageEn: offer?.message.en ?? '',
    withVoucher: !!voucher,
    terms: voucher ? termsDraftOf(voucher) : emptyTerms(),
    validDays: String(voucher?.validDays ?? 14),
    bonusPoints: offer?.bonusPoints ? String(offer.bonusPoints) : '',
    segment: offer?.segment ?? '',
    startsAt: offer ? toLocalInput(offer.startsAt, timeZone) : startOfToday(timeZone),
    endsAt: offer ? toLocalInput(offer.endsAt, timeZone) : endIn30Days(timeZone),
    maxShows: String(offer?.maxShows ?? 3),
    capDays: String(offer?.capDays ?? 7),
    conversionDays: String(offer?.conversionDays ?? 14),
    priority: String(offer?.priority ?? 0),
  };
}

interface Reading {
  /** What the fields say so far, also for the summary while typing: what does not parse is left out. */
  offer: DescribableOffer & Omit<OfferBody, 'startsAt' | 'endsAt'>;
  errors: FieldErrors;
}

/**
 * Reads the draft. An instant the editor did not touch is kept exactly as stored, not re-rounded to
 * the minute; an end covers its whole minute (to :59.999), as the end is included.
 */
export function readDraft(draft: OfferDraft, timeZone: string, original?: Offer): Reading {
  const errors: FieldErrors = {};
  const text = (value: string, path: string, max: number, required: boolean) => {
    const trimmed = value.trim();
    if (!trimmed && required) errors[path] = t('form.required');
    else if (trimmed.length > max) errors[path] = t('offers.tooLong', { max });
    return trimmed;
  };
  const whole = (value: string, path: string, min: number, max: number, message: string, fallback: number) => {
    const n = wholeNumber(value);
    if (n === null || n < min || n > max) {
      errors[path] = message;
      return fallback;
    }
    return n;
  };
  const instant = (value: string, key: 'startsAt' | 'endsAt', seconds: number): string | null => {
    if (!value) {
      errors[key] = t('form.required');
      return null;
    }
    if (original && toLocalInput(original[key], timeZone) === value) return original[key];
    const iso = fromLocalInput(value, timeZone, seconds);
    if (!iso) errors[key] = t('form.dateTime');
    return iso;
  };

  const name = text(draft.name, 'name', 200, true);

  const trigger: OfferBody['trigger'] = {};
  if (draft.triggerSkus.length) trigger.skus = [...draft.triggerSkus];
  if (draft.triggerCategories.length) trigger.categories = [...draft.triggerCategories];
  if (!trigger.skus && !trigger.categories) errors['trigger.skus'] = t('offers.triggerNeeded');
  for (const [path, list] of [['trigger.skus', trigger.skus], ['trigger.categories', trigger.categories]] as const) {
    if (list?.some((code) => code.length > 100)) errors[path] = t('offers.tooLong', { max: 100 });
  }

  const suggestion: OfferBody['suggestion'] = {};
  const sku = text(draft.suggestionSku, 'suggestion.sku', 100, false);
  const category = text(draft.suggestionCategory, 'suggestion.category', 100, false);
  const itemName = text(draft.suggestionName, 'suggestion.name', 200, false);
  if (sku) suggestion.sku = sku;
  if (category) suggestion.category = category;
  if (itemName) suggestion.name = itemName;
  if (!sku && !category) errors['suggestion.sku'] = t('offers.suggestionNeeded');

  const message = {
    id: text(draft.messageId, 'message.id', MESSAGE_MAX, true),
    en: text(draft.messageEn, 'message.en', MESSAGE_MAX, true),
  };

  let voucher: OfferBody['voucher'] = null;
  if (draft.withVoucher) {
    const terms = readTerms(draft.terms, errors, 'voucher.');
    const validDays = whole(draft.validDays, 'voucher.validDays', 1, 365, t('rewards.validDaysInvalid'), 0);
    voucher = { ...terms, validDays };
  }

  let bonusPoints: number | null = null;
  if (draft.bonusPoints.trim()) bonusPoints = whole(draft.bonusPoints, 'bonusPoints', 1, 1_000_000, t('offers.pointsRange'), 0) || null;

  const startsAt = instant(draft.startsAt, 'startsAt', 0);
  const endsAt = instant(draft.endsAt, 'endsAt', 59.999);
  if (startsAt && endsAt && Date.parse(endsAt) < Date.parse(startsAt)) errors.endsAt = t('form.endBeforeStart');

  const maxShows = whole(draft.maxShows, 'maxShows', 1, 1000, t('offers.showsRange'), 0);
  const capDays = whole(draft.capDays, 'capDays', 1, 365, t('offers.daysRange'), 0);
  const conversionDays = whole(draft.conversionDays, 'conversionDays', 1, 365, t('offers.daysRange'), 0);
  const priority = whole(draft.priority || '0', 'priority', -1000, 1000, t('form.priority'), 0);

  return {
    offer: {
      name, kind: draft.kind, trigger, suggestion, message, voucher, bonusPoints, segment: draft.segment || null,
      startsAt, endsAt, maxShows, capDays, conversionDays, priority,
    },
    errors,
  };
}

/** The request body, or the fields that are wrong. */
export function bodyOf(
  draft: OfferDraft,
  timeZone: string,
  original?: Offer,
): { body: OfferBody; errors?: undefined } | { body?: undefined; errors: FieldErrors } {
  const { offer, errors } = readDraft(draft, timeZone, original);
  if (Object.keys(errors).length || !offer.startsAt || !offer.endsAt) return { errors };
  return { body: { ...offer, startsAt: offer.startsAt, endsAt: offer.endsAt } };
}
