// Earning rules in words, and the editor's draft of one. The engine's semantics are in
// api/src/earning/earning-engine.ts; the words here describe the same thing.
import { formatDateTime, formatMoney, formatPoints, parseRupiah, type components } from '@kartu/api/client';
import { decimalNumber, listOf, wholeNumber, type FieldErrors } from './forms';
import { t } from './i18n.svelte';
import { fromLocalInput, formatDate, toLocalInput, weekdayName } from './time';

export type EarningRule = components['schemas']['EarningRule'];
export type RuleEffect = components['schemas']['EarningRuleEffect'];
export type RuleConditions = components['schemas']['EarningRuleConditions'];
export type EffectType = RuleEffect['type'];
export type Channel = 'store' | 'online';
export type Rounding = 'floor' | 'round' | 'ceil';
export type BonusPer = 'transaction' | 'line' | 'unit';

export const effectTypes: readonly EffectType[] = ['base', 'multiplier', 'bonus', 'first_purchase', 'cap'];
export const channels: readonly Channel[] = ['store', 'online'];
export const roundings: readonly Rounding[] = ['floor', 'round', 'ceil'];
export const bonusPers: readonly BonusPer[] = ['transaction', 'line', 'unit'];
export const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** What a description needs to name stores and tiers and to format amounts and dates. */
export interface DescribeContext {
  locale: string;
  currency: string;
  timeZone: string;
  storeNames: ReadonlyMap<string, string>;
  tierNames: ReadonlyMap<string, string>;
}

const intlLocale = (locale: string) => (locale === 'id' ? 'id-ID' : 'en-GB');

function either(items: string[], locale: string): string {
  return new Intl.ListFormat(intlLocale(locale), { type: 'disjunction' }).format(items);
}

export function formatMultiplier(value: number, locale: string): string {
  return `×${new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 2 }).format(value)}`;
}

/** Days as runs: [6, 7] → "Sat–Sun", [1, 3, 5] → "Mon, Wed, Fri". */
export function describeDays(days: readonly number[], locale: string): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const day of sorted) {
    const run = runs.at(-1);
    if (run && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  return runs
    .map((run) =>
      run.length === 1
        ? weekdayName(run[0], locale)
        : `${weekdayName(run[0], locale)}–${weekdayName(run.at(-1) ?? run[0], locale)}`,
    )
    .join(', ');
}

export function describeEffect(effect: RuleEffect, ctx: DescribeContext): string {
  const points = (value: number) => formatPoints(value, ctx.locale);
  switch (effect.type) {
    case 'base': {
      const text = t('rule.effect.base', { amount: formatMoney(effect.spendPerPoint, ctx.currency, ctx.locale) });
      return effect.rounding === 'floor' ? text : `${text} (${t(`rounding.note.${effect.rounding}`)})`;
    }
    case 'multiplier':
      return formatMultiplier(effect.multiplier, ctx.locale);
    case 'bonus':
      return t(`rule.effect.bonus.${effect.per}`, { points: points(effect.points) });
    case 'first_purchase':
      return t('rule.effect.firstPurchase', { points: points(effect.points) });
    case 'cap':
      if (effect.maxPerTransaction !== undefined && effect.maxPerMemberPerDay !== undefined) {
        return t('rule.effect.capBoth', {
          perSale: points(effect.maxPerTransaction),
          perDay: points(effect.maxPerMemberPerDay),
        });
      }
      if (effect.maxPerTransaction !== undefined) {
        return t('rule.effect.capSale', { points: points(effect.maxPerTransaction) });
      }
      return t('rule.effect.capDay', { points: points(effect.maxPerMemberPerDay ?? 0) });
  }
}

function describeInstant(iso: string, end: boolean, ctx: DescribeContext): string {
  const time = toLocalInput(iso, ctx.timeZone).slice(11);
  // A whole day ("from 1 Dec", "until 31 Dec") reads without its midnight.
  return time === (end ? '23:59' : '00:00')
    ? formatDate(iso, ctx.timeZone, ctx.locale)
    : formatDateTime(iso, ctx.timeZone, ctx.locale);
}

/** The conditions as phrases: "on Sat–Sun", "at Toko Kemang", "from 1 Dec 2026". */
export function describeConditions(conditions: RuleConditions, ctx: DescribeContext): string[] {
  const parts: string[] = [];
  const c = conditions;
  if (c.daysOfWeek?.length && c.daysOfWeek.length < 7) parts.push(t('rule.when.days', { days: describeDays(c.daysOfWeek, ctx.locale) }));
  if (c.hours) parts.push(t('rule.when.hours', { from: c.hours.from, to: c.hours.to }));
  if (c.stores?.length) {
    const names = c.stores.map((id) => ctx.storeNames.get(id) ?? t('rule.unknownStore'));
    parts.push(t('rule.when.stores', { stores: either(names, ctx.locale) }));
  }
  if (c.channels?.length === 1) parts.push(t('rule.when.channels', { channels: t(`saleChannel.${c.channels[0]}`) }));
  if (c.tiers?.length) {
    const names = c.tiers.map((code) => ctx.tierNames.get(code) ?? code);
    parts.push(t('rule.when.tiers', { tiers: either(names, ctx.locale) }));
  }
  const items = [...(c.skus ?? []), ...(c.categories ?? [])];
  if (items.length) parts.push(t('rule.when.items', { items: either(items, ctx.locale) }));
  if (c.minSpend !== undefined && c.minSpend > 0) {
    parts.push(t('rule.when.minSpend', { amount: formatMoney(c.minSpend, ctx.currency, ctx.locale) }));
  }
  if (c.startsAt) parts.push(t('rule.when.from', { date: describeInstant(c.startsAt, false, ctx) }));
  if (c.endsAt) parts.push(t('rule.when.until', { date: describeInstant(c.endsAt, true, ctx) }));
  return parts;
}

/** "×2 on Sat–Sun at Toko Kemang", "1 point per Rp 10.000". */
export function describeRule(rule: Pick<EarningRule, 'effect' | 'conditions'>, ctx: DescribeContext): string {
  return [describeEffect(rule.effect, ctx), ...describeConditions(rule.conditions, ctx)].join(' ');
}

/** The editor's fields, as typed. */
export interface RuleDraft {
  name: string;
  status: 'active' | 'paused';
  priority: string;
  exclusivityGroup: string;
  type: EffectType;
  spendPerPoint: string;
  rounding: Rounding;
  multiplier: string;
  bonusPoints: string;
  bonusPer: BonusPer;
  firstPurchasePoints: string;
  maxPerTransaction: string;
  maxPerMemberPerDay: string;
  startsAt: string;
  endsAt: string;
  daysOfWeek: number[];
  hoursFrom: string;
  hoursTo: string;
  stores: string[];
  channels: Channel[];
  tiers: string[];
  minSpend: string;
  skus: string;
  categories: string;
}

/** Minor units as the Rupiah a person types ("10.000"). */
export function rupiahText(minor: number | undefined): string {
  return minor === undefined ? '' : new Intl.NumberFormat('id-ID').format(minor / 100);
}

export function draftOf(rule: EarningRule | undefined, timeZone: string): RuleDraft {
  const effect = rule?.effect;
  const c = rule?.conditions ?? {};
  return {
    name: rule?.name ?? '',
    status: rule?.status ?? 'active',
    priority: String(rule?.priority ?? 0),
    exclusivityGroup: rule?.exclusivityGroup ?? '',
    type: effect?.type ?? 'multiplier',
    spendPerPoint: effect?.type === 'base' ? rupiahText(effect.spendPerPoint) : '10.000',
    rounding: effect?.type === 'base' ? effect.rounding : 'floor',
    multiplier: effect?.type === 'multiplier' ? String(effect.multiplier) : '2',
    bonusPoints: effect?.type === 'bonus' ? String(effect.points) : '',
    bonusPer: effect?.type === 'bonus' ? effect.per : 'transaction',
    firstPurchasePoints: effect?.type === 'first_purchase' ? String(effect.points) : '',
    maxPerTransaction: effect?.type === 'cap' && effect.maxPerTransaction !== undefined ? String(effect.maxPerTransaction) : '',
    maxPerMemberPerDay: effect?.type === 'cap' && effect.maxPerMemberPerDay !== undefined ? String(effect.maxPerMemberPerDay) : '',
    startsAt: c.startsAt ? toLocalInput(c.startsAt, timeZone) : '',
    endsAt: c.endsAt ? toLocalInput(c.endsAt, timeZone) : '',
    daysOfWeek: [...(c.daysOfWeek ?? [])],
    hoursFrom: c.hours?.from ?? '',
    hoursTo: c.hours?.to ?? '',
    stores: [...(c.stores ?? [])],
    channels: [...(c.channels ?? [])],
    tiers: [...(c.tiers ?? [])],
    minSpend: rupiahText(c.minSpend),
    skus: (c.skus ?? []).join(', '),
    categories: (c.categories ?? []).join(', '),
  };
}

export interface RuleBody {
  name: string;
  status: 'active' | 'paused';
  priority: number;
  exclusivityGroup: string | null;
  conditions: RuleConditions;
  effect: RuleEffect;
}

/**
 * The request body for a draft, or the fields that are wrong (keyed as the API keys them). An
 * instant the editor did not touch is sent exactly as it was, not re-rounded to the minute.
 */
export function bodyOf(
  draft: RuleDraft,
  timeZone: string,
  original?: EarningRule,
): { body: RuleBody; errors?: undefined } | { body?: undefined; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const points = (text: string, path: string, min: number): number => {
    const value = wholeNumber(text);
    if (value === null || value < min) errors[path] = t(min > 0 ? 'form.wholePositive' : 'form.wholeNumber');
    return value ?? 0;
  };

  let effect: RuleEffect;
  switch (draft.type) {
    case 'base': {
      const spend = parseRupiah(draft.spendPerPoint);
      if (spend === null || spend < 100) errors['effect.spendPerPoint'] = t('form.rupiah');
      effect = { type: 'base', spendPerPoint: spend ?? 0, rounding: draft.rounding };
      break;
    }
    case 'multiplier': {
      const multiplier = decimalNumber(draft.multiplier);
      const hundredths = multiplier === null ? NaN : multiplier * 100;
      if (multiplier === null || multiplier <= 1 || multiplier > 10 || Math.abs(hundredths - Math.round(hundredths)) > 1e-6) {
        errors['effect.multiplier'] = t('form.multiplier');
      }
      effect = { type: 'multiplier', multiplier: multiplier ?? 0 };
      break;
    }
    case 'bonus':
      effect = { type: 'bonus', points: points(draft.bonusPoints, 'effect.points', 1), per: draft.bonusPer };
      break;
    case 'first_purchase':
      effect = { type: 'first_purchase', points: points(draft.firstPurchasePoints, 'effect.points', 1) };
      break;
    case 'cap': {
      const sale = draft.maxPerTransaction.trim() ? points(draft.maxPerTransaction, 'effect.maxPerTransaction', 0) : undefined;
      const day = draft.maxPerMemberPerDay.trim() ? points(draft.maxPerMemberPerDay, 'effect.maxPerMemberPerDay', 0) : undefined;
      if (sale === undefined && day === undefined) errors['effect.maxPerTransaction'] = t('form.capNeeded');
      effect = {
        type: 'cap',
        ...(sale !== undefined ? { maxPerTransaction: sale } : {}),
        ...(day !== undefined ? { maxPerMemberPerDay: day } : {}),
      };
      break;
    }
  }

  const conditions: RuleConditions = {};
  const instant = (value: string, key: 'startsAt' | 'endsAt', seconds: number) => {
    if (!value) return;
    const kept = original?.conditions[key];
    if (kept && toLocalInput(kept, timeZone) === value) {
      conditions[key] = kept;
      return;
    }
    const iso = fromLocalInput(value, timeZone, seconds);
    if (iso) conditions[key] = iso;
    else errors[`conditions.${key}`] = t('form.dateTime');
  };
  instant(draft.startsAt, 'startsAt', 0);
  instant(draft.endsAt, 'endsAt', 59);
  if (conditions.startsAt && conditions.endsAt && Date.parse(conditions.endsAt) < Date.parse(conditions.startsAt)) {
    errors['conditions.endsAt'] = t('form.endBeforeStart');
  }
  if (draft.daysOfWeek.length) conditions.daysOfWeek = [...draft.daysOfWeek].sort((a, b) => a - b);
  if (draft.hoursFrom || draft.hoursTo) {
    if (!draft.hoursFrom || !draft.hoursTo) errors['conditions.hours'] = t('form.hoursBoth');
    else if (draft.hoursFrom === draft.hoursTo) errors['conditions.hours'] = t('form.hoursDiffer');
    else conditions.hours = { from: draft.hoursFrom, to: draft.hoursTo };
  }
  if (draft.stores.length) conditions.stores = [...draft.stores];
  if (draft.channels.length) conditions.channels = [...draft.channels];
  if (draft.tiers.length) conditions.tiers = [...draft.tiers];
  if (draft.minSpend.trim()) {
    const minSpend = parseRupiah(draft.minSpend);
    if (minSpend === null) errors['conditions.minSpend'] = t('form.rupiah');
    else conditions.minSpend = minSpend;
  }
  const skus = listOf(draft.skus);
  if (skus.length) conditions.skus = skus;
  const categories = listOf(draft.categories);
  if (categories.length) conditions.categories = categories;

  const name = draft.name.trim();
  if (!name) errors.name = t('form.required');
  const priority = wholeNumber(draft.priority || '0');
  if (priority === null || priority < -1000 || priority > 1000) errors.priority = t('form.priority');

  if (Object.keys(errors).length) return { errors };
  return {
    body: {
      name,
      status: draft.status,
      priority: priority ?? 0,
      exclusivityGroup: draft.exclusivityGroup.trim() || null,
      conditions,
      effect,
    },
  };
}
