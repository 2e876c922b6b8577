// The reward editor's fields as typed, and what they mean: the request body and the fields that
// are wrong, keyed as the API keys them. The checks are the API's (api/src/rewards/reward-schema.ts),
// so a marketer sees them at the field before saving; the API still decides.
import { formatPoints, type components, type paths } from '@kartu/api/client';
import { wholeNumber, type FieldErrors } from '$lib/forms';
import { i18n, t } from '$lib/i18n.svelte';
import { fromLocalInput, toLocalInput } from '$lib/time';
import { readTerms, termsDraftOf, type TermsDraft } from '$lib/vouchers/voucher-terms';

export type Reward = components['schemas']['Reward'];
export type RewardBody = paths['/api/v1/rewards']['post']['requestBody']['content']['application/json'];
export type RewardPatch = paths['/api/v1/rewards/{id}']['patch']['requestBody']['content']['application/json'];
type RewardVoucher = NonNullable<Reward['voucher']>;
export type Fulfilment = Reward['fulfilment'];

export const fulfilments: readonly Fulfilment[] = ['voucher', 'physical'];
const MAX_POINTS = 1e9;
const MAX_UNITS = 1e9;
const MAX_PER_MEMBER = 1e6;

export interface RewardDraft {
  name: string;
  description: string;
  pointsCost: string;
  fulfilment: Fulfilment;
  terms: TermsDraft;
  validDays: string;
  stock: string;
  perMemberLimit: string;
  tiers: string[];
  startsAt: string;
  endsAt: string;
}

const countText = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));

export function draftOf(reward: Reward | undefined, timeZone: string): RewardDraft {
  const voucher = reward?.voucher;
  return {
    name: reward?.name ?? '',
    description: reward?.description ?? '',
    pointsCost: countText(reward?.pointsCost),
    fulfilment: reward?.fulfilment ?? 'voucher',
    terms: termsDraftOf(voucher),
    validDays: countText(voucher?.validDays ?? 30),
    stock: countText(reward?.stock),
    perMemberLimit: countText(reward?.perMemberLimit),
    tiers: [...(reward?.tiers ?? [])],
    startsAt: reward?.startsAt ? toLocalInput(reward.startsAt, timeZone) : '',
    endsAt: reward?.endsAt ? toLocalInput(reward.endsAt, timeZone) : '',
  };
}

/** The units-left field as it shows a stock: what to compare a typed value with. */
export const stockText = (stock: number | null) => countText(stock);

/** The voucher a redemption issues; problems go to `errors` keyed as the API keys them. */
export function readVoucher(draft: RewardDraft, errors: FieldErrors): RewardVoucher {
  const validDays = wholeNumber(draft.validDays);
  if (validDays === null || validDays < 1 || validDays > 365) errors['voucher.validDays'] = t('rewards.validDaysInvalid');
  return { ...readTerms(draft.terms, errors, 'voucher.'), validDays: validDays ?? 0 };
}

/**
 * The request body, or the fields that are wrong. An instant the editor did not touch is sent
 * exactly as stored, not re-rounded to the minute; an end covers its whole minute.
 */
export function bodyOf(
  draft: RewardDraft,
  timeZone: string,
  original?: Reward,
): { body: RewardBody; errors?: undefined } | { body?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const whole = (text: string, path: string, min: number, max: number): number | null => {
    if (!text.trim()) return null;
    const value = wholeNumber(text);
    if (value === null || value < min || value > max) {
      errors[path] = t('rewards.wholeRange', { min, max: formatPoints(max, i18n.locale) });
    }
    return value;
  };
  const instant = (value: string, key: 'startsAt' | 'endsAt', seconds: number): string | null => {
    if (!value) return null;
    const kept = original?.[key];
    if (kept && toLocalInput(kept, timeZone) === value) return kept;
    const iso = fromLocalInput(value, timeZone, seconds);
    if (!iso) errors[key] = t('form.dateTime');
    return iso;
  };

  const name = draft.name.trim();
  if (!name) errors.name = t('form.required');
  else if (name.length > 200) errors.name = t('rewards.tooLong', { max: 200 });
  const description = draft.description.trim();
  if (description.length > 2000) errors.description = t('rewards.tooLong', { max: 2000 });

  const pointsCost = whole(draft.pointsCost, 'pointsCost', 1, MAX_POINTS);
  if (!draft.pointsCost.trim()) errors.pointsCost = t('form.required');
  const stock = whole(draft.stock, 'stock', 0, MAX_UNITS);
  const perMemberLimit = whole(draft.perMemberLimit, 'perMemberLimit', 1, MAX_PER_MEMBER);

  const startsAt = instant(draft.startsAt, 'startsAt', 0);
  const endsAt = instant(draft.endsAt, 'endsAt', 59);
  if (startsAt && endsAt && Date.parse(endsAt) < Date.parse(startsAt)) errors.endsAt = t('form.endBeforeStart');

  const voucher = draft.fulfilment === 'voucher' ? readVoucher(draft, errors) : null;

  if (Object.keys(errors).length || pointsCost === null) return { errors };
  return {
    body: {
      name,
      description: description || null,
      pointsCost,
      stock,
      perMemberLimit,
      tiers: draft.tiers.length ? [...draft.tiers] : null,
      startsAt,
      endsAt,
      fulfilment: draft.fulfilment,
      voucher,
    },
  };
}

/**
 * The PATCH for an edit: only the fields that differ from the reward as loaded, so a save never
 * overwrites units taken by redemptions meanwhile unless the units-left field itself was changed.
 */
export function patchOf(body: RewardBody, original: Reward): RewardPatch {
  const before: RewardBody = {
    name: original.name,
    description: original.description,
    pointsCost: original.pointsCost,
    stock: original.stock,
    perMemberLimit: original.perMemberLimit,
    tiers: original.tiers,
    startsAt: original.startsAt,
    endsAt: original.endsAt,
    fulfilment: original.fulfilment,
    voucher: original.voucher,
  };
  const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(body) as (keyof RewardBody)[]) {
    if (!same(body[key] ?? null, before[key] ?? null)) patch[key] = body[key];
  }
  return patch as RewardPatch;
}

/** Objects with sorted keys and lists (tier codes) sorted, so order never counts as a change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return [...value].map(canonical).sort();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}
