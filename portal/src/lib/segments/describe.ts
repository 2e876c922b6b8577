// A segment's rules as one sentence in the current language: "Gold members who bought kopi in the
// last 90 days and did not buy in the last 30 days". The words follow the API's semantics
// (api/src/segments/segment-rules.ts); a condition still being typed is described as far as it goes.
import { formatMoney, type components } from '@kartu/api/client';
import { t, tEnum, type MessageKey } from '$lib/i18n.svelte';

type Condition = components['schemas']['SegmentCondition'];
type Rules = { match: 'all' | 'any'; conditions: Condition[] };
type Range = { min?: number; max?: number };

export interface DescribeSegmentContext {
  locale: string;
  currency: string;
  tierNames: ReadonlyMap<string, string>;
  storeNames: ReadonlyMap<string, string>;
}

const intlLocale = (locale: string) => (locale === 'id' ? 'id-ID' : 'en-GB');
const join = (items: string[], locale: string, type: 'conjunction' | 'disjunction') =>
  items.length ? new Intl.ListFormat(intlLocale(locale), { type }).format(items) : t('segmentWords.unknown');
const plural = (n: number, one: MessageKey, other: MessageKey, params: Record<string, string | number>) =>
  t(n === 1 ? one : other, params);

/** "between 2 and 5", "3 or more", "at most 1" with each number formatted. */
function range(r: Range, format: (n: number) => string): { text: string; last: number } | null {
  if (r.min !== undefined && r.max !== undefined) {
    if (r.min === r.max) return { text: format(r.min), last: r.min };
    return { text: t('segmentWords.between', { min: format(r.min), max: format(r.max) }), last: r.max };
  }
  if (r.min !== undefined) return { text: t('segmentWords.atLeast', { min: format(r.min) }), last: 2 };
  if (r.max !== undefined) return { text: t('segmentWords.atMost', { max: format(r.max) }), last: r.max };
  return null;
}

const scoreRange = (r: Range) =>
  r.min !== undefined && r.max !== undefined
    ? r.min === r.max ? String(r.min) : `${r.min}–${r.max}`
    : r.min !== undefined ? `${r.min}–5` : `1–${r.max}`;

function inLast(days: number | undefined, ctx: DescribeSegmentContext) {
  const n = days ?? 0;
  if (n < 1) return t('segmentWords.inLast.other', { days: t('segmentWords.unknown') });
  return plural(n, 'segmentWords.inLast.one', 'segmentWords.inLast.other', { days: new Intl.NumberFormat(intlLocale(ctx.locale)).format(n) });
}

/** One condition as a clause that follows "members who …". */
export function describeCondition(c: Condition, ctx: DescribeSegmentContext): string {
  const not = c.negate === true;
  const say = (key: string, params: Record<string, string | number>) =>
    t(`segmentWords.${not ? 'not.' : ''}${key}` as MessageKey, params);
  const number = (n: number) => new Intl.NumberFormat(intlLocale(ctx.locale)).format(n);
  const money = (n: number) => formatMoney(n, ctx.currency, ctx.locale);
  switch (c.type) {
    case 'tier':
      return say('tier', { tiers: join(c.tiers.map((code) => ctx.tierNames.get(code) ?? code), ctx.locale, 'disjunction') });
    case 'lifecycle':
      return say('lifecycle', { stages: join(c.stages.map((stage) => tEnum('stage', stage)), ctx.locale, 'disjunction') });
    case 'rfm': {
      const parts = (['r', 'f', 'm'] as const).filter((key) => c[key]).map((key) => `${key.toUpperCase()} ${scoreRange(c[key]!)}`);
      return say('rfm', { scores: join(parts, ctx.locale, 'conjunction') });
    }
    case 'spend': {
      const r = range(c, money);
      return say('spend', { range: r?.text ?? t('segmentWords.unknown'), window: inLast(c.withinDays, ctx) });
    }
    case 'visits': {
      const window = inLast(c.withinDays, ctx);
      const none = (c.min === undefined || c.min === 0) && c.max === 0;
      const some = c.min === 1 && c.max === undefined;
      if (none) return t(not ? 'segmentWords.visitedAny' : 'segmentWords.visitedNone', { window });
      if (some) return t(not ? 'segmentWords.visitedNone' : 'segmentWords.visitedAny', { window });
      const r = range(c, number);
      const times = r ? plural(r.last, 'segmentWords.times.one', 'segmentWords.times.other', { range: r.text }) : t('segmentWords.unknown');
      return say('visits', { range: times, window });
    }
    case 'days_since_purchase': {
      const r = range(c, number);
      const days = r ? plural(r.last, 'segmentWords.days.one', 'segmentWords.days.other', { range: r.text }) : t('segmentWords.unknown');
      return say('daysSince', { range: days });
    }
    case 'bought': {
      const items = join(
        [...(c.categories ?? []), ...(c.skus ?? []).map((sku) => t('segmentWords.sku', { sku }))],
        ctx.locale,
        'disjunction',
      );
      return c.withinDays === undefined ? say('boughtEver', { items }) : say('bought', { items, window: inLast(c.withinDays, ctx) });
    }
    case 'store': {
      const stores = join(c.stores.map((id) => ctx.storeNames.get(id) ?? '…'), ctx.locale, 'disjunction');
      return c.withinDays === undefined ? say('storeEver', { stores }) : say('store', { stores, window: inLast(c.withinDays, ctx) });
    }
    case 'birthday_month': {
      const names = [...c.months]
        .sort((a, b) => a - b)
        .map((m) => new Intl.DateTimeFormat(intlLocale(ctx.locale), { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, m - 1, 1))));
      return say('birthday', { months: join(names, ctx.locale, 'disjunction') });
    }
    case 'tags': {
      const any = c.any?.length ? join(c.any, ctx.locale, 'disjunction') : null;
      const all = c.all?.length ? join(c.all, ctx.locale, 'conjunction') : null;
      const tags = any && all ? t('segmentWords.tagsBoth', { any, all }) : (any ?? all ?? t('segmentWords.unknown'));
      return say('tags', { tags });
    }
    case 'consent':
      return t(c.marketing !== not ? 'segmentWords.consentYes' : 'segmentWords.consentNo');
    case 'joined':
      return say('joined', { window: inLast(c.withinDays, ctx) });
  }
}

/**
 * The whole sentence. With "all", one plain tier condition names the members ("Gold members who …");
 * with "any", each condition is an alternative ("Members who … or …").
 */
export function describeSegment(rules: Rules, ctx: DescribeSegmentContext): string {
  if (rules.conditions.length === 0) return t('segmentWords.all');
  let subject = t('segmentWords.members');
  let tierNames: string | null = null;
  let rest = rules.conditions;
  const tierConditions = rules.conditions.filter((c) => c.type === 'tier' && !c.negate);
  if (rules.match === 'all' && tierConditions.length === 1) {
    const tier = tierConditions[0] as Extract<Condition, { type: 'tier' }>;
    if (tier.tiers.length > 0) {
      const names = join(tier.tiers.map((code) => ctx.tierNames.get(code) ?? code), ctx.locale, 'disjunction');
      tierNames = names;
      subject = t('segmentWords.tierMembers', { tiers: names });
      rest = rules.conditions.filter((c) => c !== tier);
    }
  }
  if (rest.length === 0 && tierNames) return t('segmentWords.allOf', { tiers: tierNames });
  const clauses = join(
    rest.map((c) => describeCondition(c, ctx)),
    ctx.locale,
    rules.match === 'all' ? 'conjunction' : 'disjunction',
  );
  return t('segmentWords.who', { subject, clauses });
}
