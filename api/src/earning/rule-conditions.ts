// When an earning rule applies: its conditions, all of which must hold. Pure; the wall clock is
// read through Intl (no date library), and the zone is the store's, else the tenant's.
//
//  - startsAt / endsAt: instants, both inclusive, compared with the sale's `at` to the millisecond
//    (endsAt 2026-12-31T23:59:59+07:00 includes that second's first millisecond, not 23:59:59.500).
//  - daysOfWeek: 1 = Monday … 7 = Sunday, the local date in `timeZone`.
//  - hours: 'HH:MM' local time, from inclusive, to exclusive, to the minute (13:59:59 is in a window
//    ending 14:00). from > to wraps midnight (22:00–02:00), and the part after midnight belongs to
//    the day the window started, like opening hours: with daysOfWeek [5] and hours 22:00–02:00 a
//    sale on Saturday at 01:30 counts as Friday night and applies; Friday 01:30 does not.
//    from === to is an empty window (the schema rejects it).
//  - stores (a sale without a store never matches), channels, tiers (member.tierCode).
//  - skus / categories: at least one paid line (amount > 0) must match; a line matches when its
//    sku is in skus OR its category is in categories.
//  - minSpend: the sum of the matching lines' amounts (every paid line when neither skus nor
//    categories is given) must be at least minSpend.
// An empty list counts as no condition (the schema rejects empty lists). A malformed instant or
// 'HH:MM' makes the condition fail: a broken campaign does not give points away.

import type { EarningInput, EarningLine, EarningRule, RuleConditions } from './earning-engine.ts';

export function ruleApplies(rule: EarningRule, input: EarningInput): boolean {
  const c: RuleConditions = rule.conditions ?? {};
  const at = input.at.getTime();

  if (c.startsAt != null && !(at >= Date.parse(c.startsAt))) return false;
  if (c.endsAt != null && !(at <= Date.parse(c.endsAt))) return false;
  if (given(c.stores) && (input.storeId === null || !c.stores.includes(input.storeId))) return false;
  if (given(c.channels) && !c.channels.includes(input.channel)) return false;
  if (given(c.tiers) && !c.tiers.includes(input.member.tierCode)) return false;

  if (given(c.daysOfWeek) || c.hours != null) {
    if (!Number.isFinite(at)) return false;
    const clock = localClock(at, input.timeZone);
    let weekday = clock.weekday;
    if (c.hours != null) {
      const window = inHours(clock.minutes, c.hours);
      if (window === null) return false;
      if (window === 'previous_day') weekday = weekday === 1 ? 7 : weekday - 1;
    }
    if (given(c.daysOfWeek) && !c.daysOfWeek.includes(weekday)) return false;
  }

  const filtered = hasLineFilter(c);
  if (filtered || c.minSpend != null) {
    let matched = 0;
    let spend = 0;
    for (const line of input.lines) {
      if (!(line.amount > 0) || !lineMatches(c, line)) continue;
      matched++;
      spend += Math.floor(line.amount);
    }
    if (filtered && matched === 0) return false;
    if (c.minSpend != null && !(spend >= c.minSpend)) return false;
  }
  return true;
}

/** Whether a line is one the rule applies to: sku in skus OR category in categories; neither given = every line. */
export function lineMatches(c: RuleConditions, line: EarningLine): boolean {
  if (!hasLineFilter(c)) return true;
  return (given(c.skus) && c.skus.includes(line.sku)) || (given(c.categories) && line.category !== null && c.categories.includes(line.category));
}

function hasLineFilter(c: RuleConditions): boolean {
  return given(c.skus) || given(c.categories);
}

function given<T>(list: T[] | undefined | null): list is T[] {
  return Array.isArray(list) && list.length > 0;
}

/**
 * Whether `minutes` (since local midnight) falls in the window: 'same_day', 'previous_day' (the
 * part after midnight of a window that wraps it), or null (outside, or a malformed window).
 */
function inHours(minutes: number, hours: { from: string; to: string }): 'same_day' | 'previous_day' | null {
  const from = minutesOf(hours.from);
  const to = minutesOf(hours.to);
  if (from === null || to === null) return null;
  if (from < to) return minutes >= from && minutes < to ? 'same_day' : null;
  if (from > to) return minutes >= from ? 'same_day' : minutes < to ? 'previous_day' : null;
  return null;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** 'HH:MM' (00:00–23:59) as minutes since midnight, or null. */
export function minutesOf(hhmm: string): number | null {
  const m = HH_MM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in `timeZone` at instant `ms`: ISO weekday (1 = Monday) and minutes since midnight. Throws on an unknown zone. */
export function localClock(ms: number, timeZone: string): { weekday: number; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(ms)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}
