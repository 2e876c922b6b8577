// The segment builder's fields as typed, and what they mean: the rules to send (to save or to
// preview), and what is wrong, keyed as the API keys its errors ("rules.conditions.0.min"). Every
// condition keeps all of its kind's fields, so switching a condition's kind and back loses nothing.
import { formatPoints, parseRupiah, type components } from '@kartu/api/client';
import { wholeNumber, type FieldErrors } from '$lib/forms';
import { i18n, t } from '$lib/i18n.svelte';
import { rupiahText } from '$lib/rules';

export type Segment = components['schemas']['Segment'];
export type SegmentRules = components['schemas']['SegmentRules'];
export type SegmentCondition = components['schemas']['SegmentCondition'];
export type SegmentMember = components['schemas']['SegmentMember'];
export type ConditionType = SegmentCondition['type'];
export type Stage = components['schemas']['SegmentMember']['lifecycleStage'];
export type ScoreKey = 'r' | 'f' | 'm';

/**
 * The API's limits (api/src/segments/segment-rules.ts), checked here so that the messages are the
 * portal's, in the marketer's language; the API's own words show only for what the portal cannot
 * know (a tier or store that no longer exists).
 */
export const LIMITS = { windowDays: 3650, daysSince: 36_500, visits: 1_000_000, minor: 1e13 } as const;

export const conditionTypes: readonly ConditionType[] = [
  'tier', 'lifecycle', 'rfm', 'spend', 'visits', 'days_since_purchase', 'bought', 'store', 'birthday_month', 'tags', 'consent', 'joined',
];
export const stages: readonly Stage[] = ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back'];
export const scoreKeys: readonly ScoreKey[] = ['r', 'f', 'm'];
export const months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

/** One condition's fields as typed; `key` tells conditions apart while they are added and removed. */
export interface ConditionDraft {
  key: number;
  type: ConditionType;
  negate: boolean;
  tiers: string[];
  stages: Stage[];
  /** Score ranges: '' is "any". */
  scores: Record<ScoreKey, { min: string; max: string }>;
  withinDays: string;
  min: string;
  max: string;
  skus: string[];
  categories: string[];
  stores: string[];
  months: number[];
  tagsAny: string[];
  tagsAll: string[];
  marketing: boolean;
}

export interface SegmentDraft {
  code: string;
  name: string;
  description: string;
  match: 'all' | 'any';
  conditions: ConditionDraft[];
}

let nextKey = 1;

const formatNumber = (n: number) => formatPoints(n, i18n.locale);

/** Sensible starting values for each kind: a spend or visits window of 90 days, joined in 30. */
export function blankCondition(type: ConditionType): ConditionDraft {
  return {
    key: nextKey++,
    type,
    negate: false,
    tiers: [],
    stages: [],
    scores: { r: { min: '', max: '' }, f: { min: '', max: '' }, m: { min: '', max: '' } },
    withinDays: type === 'joined' ? '30' : type === 'spend' || type === 'visits' ? '90' : '',
    min: '',
    max: '',
    skus: [],
    categories: [],
    stores: [],
    months: [],
    tagsAny: [],
    tagsAll: [],
    marketing: true,
  };
}

const text = (value: number | undefined) => (value === undefined ? '' : String(value));

export function conditionDraftOf(c: SegmentCondition): ConditionDraft {
  const draft = { ...blankCondition(c.type), negate: c.negate ?? false };
  switch (c.type) {
    case 'tier':
      return { ...draft, tiers: [...c.tiers] };
    case 'lifecycle':
      return { ...draft, stages: [...c.stages] };
    case 'rfm':
      return {
        ...draft,
        scores: {
          r: { min: text(c.r?.min), max: text(c.r?.max) },
          f: { min: text(c.f?.min), max: text(c.f?.max) },
          m: { min: text(c.m?.min), max: text(c.m?.max) },
        },
      };
    case 'spend':
      return { ...draft, withinDays: String(c.withinDays), min: rupiahText(c.min), max: rupiahText(c.max) };
    case 'visits':
      return { ...draft, withinDays: String(c.withinDays), min: text(c.min), max: text(c.max) };
    case 'days_since_purchase':
      return { ...draft, min: text(c.min), max: text(c.max) };
    case 'bought':
      return { ...draft, skus: [...(c.skus ?? [])], categories: [...(c.categories ?? [])], withinDays: text(c.withinDays) };
    case 'store':
      return { ...draft, stores: [...c.stores], withinDays: text(c.withinDays) };
    case 'birthday_month':
      return { ...draft, months: [...c.months] };
    case 'tags':
      return { ...draft, tagsAny: [...(c.any ?? [])], tagsAll: [...(c.all ?? [])] };
    case 'consent':
      return { ...draft, marketing: c.marketing };
    case 'joined':
      return { ...draft, withinDays: String(c.withinDays) };
  }
}

export function draftOf(segment?: Segment): SegmentDraft {
  return {
    code: segment?.code ?? '',
    name: segment?.name ?? '',
    description: segment?.description ?? '',
    match: segment?.rules.match ?? 'all',
    conditions: (segment?.rules.conditions ?? []).map(conditionDraftOf),
  };
}

/**
 * What the draft's conditions say. `invalid`: values typed that do not read (shown at once);
 * `missing`: what a condition still needs (shown once the person tries to save). `rules` is there
 * only when neither has anything — the preview asks the API only then.
 */
export interface Reading {
  rules?: SegmentRules;
  /** The rules as far as they read, for the sentence while typing. */
  partial: SegmentRules;
  invalid: FieldErrors;
  missing: FieldErrors;
}

export function readRules(draft: Pick<SegmentDraft, 'match' | 'conditions'>): Reading {
  const invalid: FieldErrors = {};
  const missing: FieldErrors = {};
  const conditions = draft.conditions.map((c, i) => readCondition(c, `rules.conditions.${i}`, invalid, missing));
  const ok = Object.keys(invalid).length === 0 && Object.keys(missing).length === 0;
  const partial = { match: draft.match, conditions };
  return { rules: ok ? partial : undefined, partial, invalid, missing };
}

function readCondition(c: ConditionDraft, at: string, invalid: FieldErrors, missing: FieldErrors): SegmentCondition {
  const negate = c.negate ? { negate: true } : {};
  /** A whole number typed in a field from `min` to `max`, or undefined when empty; what does not read is marked. */
  const whole = (value: string, field: string, min: number, max: number, message: string) => {
    if (!value.trim()) return undefined;
    const n = wholeNumber(value);
    if (n === null || n < min || n > max) {
      invalid[`${at}.${field}`] = message;
      return undefined;
    }
    return n;
  };
  const count = (value: string, field: string, max: number) => whole(value, field, 0, max, t('segments.wholeUpTo', { max: formatNumber(max) }));
  const days = (required: boolean) => {
    const n = whole(c.withinDays, 'withinDays', 1, LIMITS.windowDays, t('segments.daysRange', { max: formatNumber(LIMITS.windowDays) }));
    if (required && n === undefined && !invalid[`${at}.withinDays`]) missing[`${at}.withinDays`] = t('segments.days');
    return n;
  };
  const rupiah = (value: string, field: string) => {
    if (!value.trim()) return undefined;
    const n = parseRupiah(value);
    if (n === null || n > LIMITS.minor) {
      invalid[`${at}.${field}`] = t(n === null ? 'form.rupiah' : 'segments.tooLarge');
      return undefined;
    }
    return n;
  };
  /** Min, max or both, and the max not below the min (marked at the max, as the API does). */
  const bounds = (min: number | undefined, max: number | undefined) => {
    if (min === undefined && max === undefined && !invalid[`${at}.min`] && !invalid[`${at}.max`]) missing[`${at}.min`] = t('segments.giveBound');
    if (min !== undefined && max !== undefined && max < min) {
      invalid[`${at}.max`] = t('segments.maxBelowMin');
      return { min };
    }
    return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  };
  const list = <T>(values: T[], field: string, message: string) => {
    if (values.length === 0) missing[`${at}.${field}`] = message;
    return [...values];
  };

  switch (c.type) {
    case 'tier':
      return { type: 'tier', ...negate, tiers: list(c.tiers, 'tiers', t('segments.pickTier')) };
    case 'lifecycle':
      return { type: 'lifecycle', ...negate, stages: list(c.stages, 'stages', t('segments.pickStage')) };
    case 'rfm': {
      const ranges: Partial<Record<ScoreKey, { min?: number; max?: number }>> = {};
      for (const key of scoreKeys) {
        const { min, max } = c.scores[key];
        if (!min && !max) continue;
        if (min && max && Number(max) < Number(min)) invalid[`${at}.${key}`] = t('segments.scoreOrder');
        ranges[key] = { ...(min ? { min: Number(min) } : {}), ...(max ? { max: Number(max) } : {}) };
      }
      if (Object.keys(ranges).length === 0) missing[`${at}.r`] = t('segments.giveScore');
      return { type: 'rfm', ...negate, ...ranges };
    }
    case 'spend': {
      const withinDays = days(true);
      return { type: 'spend', ...negate, withinDays: withinDays ?? 0, ...bounds(rupiah(c.min, 'min'), rupiah(c.max, 'max')) };
    }
    case 'visits': {
      const withinDays = days(true);
      return { type: 'visits', ...negate, withinDays: withinDays ?? 0, ...bounds(count(c.min, 'min', LIMITS.visits), count(c.max, 'max', LIMITS.visits)) };
    }
    case 'days_since_purchase':
      return { type: 'days_since_purchase', ...negate, ...bounds(count(c.min, 'min', LIMITS.daysSince), count(c.max, 'max', LIMITS.daysSince)) };
    case 'bought': {
      if (c.skus.length === 0 && c.categories.length === 0) missing[`${at}.skus`] = t('segments.giveItems');
      const withinDays = days(false);
      return {
        type: 'bought',
        ...negate,
        ...(c.skus.length ? { skus: [...c.skus] } : {}),
        ...(c.categories.length ? { categories: [...c.categories] } : {}),
        ...(withinDays !== undefined ? { withinDays } : {}),
      };
    }
    case 'store': {
      const stores = list(c.stores, 'stores', t('segments.pickStore'));
      const withinDays = days(false);
      return { type: 'store', ...negate, stores, ...(withinDays !== undefined ? { withinDays } : {}) };
    }
    case 'birthday_month':
      return { type: 'birthday_month', ...negate, months: list([...c.months].sort((a, b) => a - b), 'months', t('segments.pickMonth')) };
    case 'tags':
      if (c.tagsAny.length === 0 && c.tagsAll.length === 0) missing[`${at}.any`] = t('segments.giveTags');
      return {
        type: 'tags',
        ...negate,
        ...(c.tagsAny.length ? { any: [...c.tagsAny] } : {}),
        ...(c.tagsAll.length ? { all: [...c.tagsAll] } : {}),
      };
    case 'consent':
      return { type: 'consent', ...negate, marketing: c.marketing };
    case 'joined':
      return { type: 'joined', ...negate, withinDays: days(true) ?? 0 };
  }
}

/** The fields of a condition that show their own message; anything else about it shows at its header. */
export const conditionFields: Record<ConditionType, readonly string[]> = {
  tier: ['tiers'],
  lifecycle: ['stages'],
  rfm: ['r', 'f', 'm'],
  spend: ['withinDays', 'min', 'max'],
  visits: ['withinDays', 'min', 'max'],
  days_since_purchase: ['min', 'max'],
  bought: ['skus', 'categories', 'withinDays'],
  store: ['stores', 'withinDays'],
  birthday_month: ['months'],
  tags: ['any', 'all'],
  consent: ['marketing'],
  joined: ['withinDays'],
};

export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
