// The promotion builder's fields as typed, and what they mean: the request body, the fields that are
// wrong (keyed as the API keys them), and a best-effort promotion for the live summary while typing.
import { parseRupiah, type components } from '@kartu/api/client';
import { decimalNumber, listOf, wholeNumber, type FieldErrors } from '$lib/forms';
import { t } from '$lib/i18n.svelte';
import { rupiahText, type Channel } from '$lib/rules';
import { fromLocalInput, toLocalInput } from '$lib/time';

export type Promotion = components['schemas']['Promotion'];
export type PromotionEffect = components['schemas']['PromotionEffect'];
export type PromotionConditions = components['schemas']['PromotionConditions'];
export type EffectType = PromotionEffect['type'];

export const effectTypes: readonly EffectType[] = ['free_shipping', 'percent_off', 'amount_off', 'bonus_points'];

export interface PromotionDraft {
  name: string;
  priority: string;
  exclusivityGroup: string;
  startsAt: string;
  endsAt: string;
  type: EffectType;
  maxDiscount: string;
  percent: string;
  amount: string;
  points: string;
  multiplier: string;
  minSpend: string;
  tiers: string[];
  segments: string;
  channels: Channel[];
  regions: string;
  stores: string[];
  firstPurchaseOnly: boolean;
  daysOfWeek: number[];
  hoursFrom: string;
  hoursTo: string;
}

export interface PromotionBody {
  name: string;
  startsAt: string;
  endsAt: string;
  priority: number;
  exclusivityGroup: string | null;
  conditions: PromotionConditions;
  effect: PromotionEffect;
}

/** Today 00:00 on the tenant's clock, as a datetime-local value. */
const startOfToday = (timeZone: string) => `${toLocalInput(new Date().toISOString(), timeZone).slice(0, 10)}T00:00`;

export function draftOf(promotion: Promotion | undefined, timeZone: string): PromotionDraft {
  const effect = promotion?.effect;
  const c = promotion?.conditions ?? {};
  const cap = effect && (effect.type === 'free_shipping' || effect.type === 'percent_off') ? effect.maxDiscount : undefined;
  return {
    name: promotion?.name ?? '',
    priority: String(promotion?.priority ?? 0),
    exclusivityGroup: promotion?.exclusivityGroup ?? '',
    startsAt: promotion ? toLocalInput(promotion.startsAt, timeZone) : startOfToday(timeZone),
    endsAt: promotion ? toLocalInput(promotion.endsAt, timeZone) : '',
    type: effect?.type ?? 'free_shipping',
    maxDiscount: rupiahText(cap),
    percent: effect?.type === 'percent_off' ? String(effect.value) : '',
    amount: effect?.type === 'amount_off' ? rupiahText(effect.value) : '',
    points: effect?.type === 'bonus_points' && effect.points ? String(effect.points) : '',
    multiplier: effect?.type === 'bonus_points' && effect.multiplier ? String(effect.multiplier) : '',
    minSpend: rupiahText(c.minSpend),
    tiers: [...(c.tiers ?? [])],
    segments: (c.segments ?? []).join(', '),
    channels: [...(c.channels ?? [])],
    regions: (c.regions ?? []).join(', '),
    stores: [...(c.stores ?? [])],
    firstPurchaseOnly: c.firstPurchaseOnly ?? false,
    daysOfWeek: [...(c.daysOfWeek ?? [])],
    hoursFrom: c.hours?.from ?? '',
    hoursTo: c.hours?.to ?? '',
  };
}

interface Reading {
  /** What the fields say so far, also for the summary while typing: what does not parse is left out. */
  promotion: Omit<PromotionBody, 'startsAt' | 'endsAt'> & { startsAt: string | null; endsAt: string | null };
  errors: FieldErrors;
}

/**
 * Reads the draft. An instant the editor did not touch is kept exactly as stored, not re-rounded to
 * the minute; an end covers its whole minute (to :59.999), as the end is included.
 */
export function readDraft(draft: PromotionDraft, timeZone: string, original?: Promotion): Reading {
  const errors: FieldErrors = {};
  const rupiah = (text: string, path: string, required: boolean): number | undefined => {
    if (!text.trim()) {
      if (required) errors[path] = t('promotions.positiveRupiah');
      return undefined;
    }
    const value = parseRupiah(text);
    if (value === null || value <= 0) errors[path] = t('promotions.positiveRupiah');
    return value ?? undefined;
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

  const name = draft.name.trim();
  if (!name) errors.name = t('form.required');
  const startsAt = instant(draft.startsAt, 'startsAt', 0);
  const endsAt = instant(draft.endsAt, 'endsAt', 59.999);
  if (startsAt && endsAt && Date.parse(endsAt) < Date.parse(startsAt)) errors.endsAt = t('form.endBeforeStart');

  let effect: PromotionEffect;
  switch (draft.type) {
    case 'free_shipping':
    case 'percent_off': {
      const maxDiscount = rupiah(draft.maxDiscount, 'effect.maxDiscount', false);
      const cap = maxDiscount !== undefined ? { maxDiscount } : {};
      if (draft.type === 'free_shipping') {
        effect = { type: 'free_shipping', ...cap };
        break;
      }
      const value = wholeNumber(draft.percent);
      if (value === null || value < 1 || value > 100) errors['effect.value'] = t('promotions.percentInvalid');
      effect = { type: 'percent_off', value: value ?? 0, ...cap };
      break;
    }
    case 'amount_off':
      effect = { type: 'amount_off', value: rupiah(draft.amount, 'effect.value', true) ?? 0 };
      break;
    case 'bonus_points': {
      const points = draft.points.trim() ? wholeNumber(draft.points) : undefined;
      if (points === null || (points !== undefined && points < 1)) errors['effect.points'] = t('form.wholePositive');
      const multiplier = draft.multiplier.trim() ? decimalNumber(draft.multiplier) : undefined;
      const hundredths = (multiplier ?? 0) * 100;
      if (multiplier === null || (multiplier !== undefined && (multiplier <= 1 || multiplier > 10 || Math.abs(hundredths - Math.round(hundredths)) > 1e-6))) {
        errors['effect.multiplier'] = t('form.multiplier');
      }
      if (points === undefined && multiplier === undefined) errors['effect.points'] = t('promotions.bonusNeeded');
      effect = { type: 'bonus_points', ...(points ? { points } : {}), ...(multiplier ? { multiplier } : {}) };
      break;
    }
  }

  const conditions: PromotionConditions = {};
  const minSpend = rupiah(draft.minSpend, 'conditions.minSpend', false);
  if (minSpend !== undefined) conditions.minSpend = minSpend;
  if (draft.tiers.length) conditions.tiers = [...draft.tiers];
  const segments = listOf(draft.segments);
  if (segments.length) conditions.segments = segments;
  if (draft.channels.length) conditions.channels = [...draft.channels];
  const regions = listOf(draft.regions);
  if (regions.length) conditions.regions = regions;
  if (draft.stores.length) conditions.stores = [...draft.stores];
  if (draft.firstPurchaseOnly) conditions.firstPurchaseOnly = true;
  if (draft.daysOfWeek.length) conditions.daysOfWeek = [...draft.daysOfWeek].sort((a, b) => a - b);
  if (draft.hoursFrom || draft.hoursTo) {
    if (!draft.hoursFrom || !draft.hoursTo) errors['conditions.hours'] = t('form.hoursBoth');
    else if (draft.hoursFrom === draft.hoursTo) errors['conditions.hours'] = t('form.hoursDiffer');
    else conditions.hours = { from: draft.hoursFrom, to: draft.hoursTo };
  }

  const priority = wholeNumber(draft.priority || '0');
  if (priority === null || priority < -1000 || priority > 1000) errors.priority = t('form.priority');

  return {
    promotion: { name, startsAt, endsAt, priority: priority ?? 0, exclusivityGroup: draft.exclusivityGroup.trim() || null, conditions, effect },
    errors,
  };
}

/** The request body, or the fields that are wrong. */
export function bodyOf(
  draft: PromotionDraft,
  timeZone: string,
  original?: Promotion,
): { body: PromotionBody; errors?: undefined } | { body?: undefined; errors: FieldErrors } {
  const { promotion, errors } = readDraft(draft, timeZone, original);
  if (Object.keys(errors).length || !promotion.startsAt || !promotion.endsAt) return { errors };
  return { body: { ...promotion, startsAt: promotion.startsAt, endsAt: promotion.endsAt } };
}
