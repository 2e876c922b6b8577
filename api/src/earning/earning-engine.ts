// The earning-rules engine: a pure function from (rules, cart, time, place, member) to points, the
// points of each line (fixed at posting, so a refund can reverse them line by line) and a breakdown
// per rule. No I/O, no clock, no randomness: the same input always gives the same output.
//
// Semantics (the API documentation and the portal's rule editor describe the same thing):
//
//  0. Lines. Points are earned on what the member pays for a line's goods (`amount`, after
//     discounts and the share paid with points; the caller computes it). A line with amount ≤ 0
//     earns nothing and matches no rule; fractions of a minor unit are ignored. A rule's "matching
//     lines" are the paid lines whose sku is in `skus` OR whose category is in `categories`
//     (neither given = every paid line).
//  1. Applicable rules are those whose conditions all hold (`ruleApplies`, see rule-conditions.ts;
//     a rule with `skus`/`categories` also needs at least one matching line, and `minSpend` is
//     compared, inclusively, with the sum of its matching lines' amounts).
//  2. Base. Exactly one base rule applies, ever: the applicable `base` rule with the highest
//     priority (tie: the lower id). Its points = rounding(sum of its matching amounts /
//     spendPerPoint), with 'round' rounding halves up. Without an applicable base rule the base
//     is 0, and so are the tier and every multiplier. Base points are attributed to its matching
//     lines by largest remainder over their amounts.
//  3. Tier. extra = floor(base × (member.tierMultiplier − 1)), shown as `tier:<code>` (ruleId
//     null) and attributed like the base; omitted when 0. A tier multiplier below 1 counts as 1.
//  4. Multipliers stack additively on the base and never compound with each other or the tier:
//     extra = floor(B × (multiplier − 1)), where B = the base rule's rounding applied to the sum
//     of the amounts of the lines matched by both the base and the multiplier (so a multiplier
//     matching every line multiplies exactly the base). The extra is attributed over those lines
//     by their base points (largest remainder).
//  5. Bonuses. per 'transaction': the points once; per 'line': points × matching lines; per
//     'unit': points × matching units (quantity). first_purchase: the points once, and only when
//     member.isFirstPurchase. Transaction and first-purchase bonuses are attributed over the
//     matching lines by amount; line and unit bonuses go to the line that earned them. A bonus
//     needs at least one paid matching line (an empty or free cart earns nothing).
//  6. Exclusivity groups. Among the applicable multiplier, bonus and first_purchase rules that
//     share an `exclusivityGroup`, only the one worth the most points for this cart on its own
//     applies (tie: higher priority, then lower id). Rules without a group all stack. Base and
//     cap rules ignore `exclusivityGroup`: bases are exclusive by (2), caps by (7).
//  7. Caps apply last. A cap's limit is min(maxPerTransaction, max(0, maxPerMemberPerDay −
//     member.pointsEarnedToday)) over the limits it has; the strictest applicable cap wins (tie:
//     higher priority, then lower id). If the total exceeds it, the cut is a negative breakdown
//     item for that cap and the capped total is re-attributed over the lines in proportion to
//     their uncapped points (largest remainder). Caps limit the whole sale; a cap's skus,
//     categories and minSpend only decide whether it applies.
//  8. Breakdown: base, tier, multipliers, bonuses, first purchase, cap — within a kind by priority
//     (higher first) then id; items worth 0 points are left out.
//  9. Invariants: points === sum(linePoints) === sum(breakdown points); every line's points ≥ 0;
//     integers throughout (sums, divisions and multipliers are done in BigInt; multipliers are
//     taken in hundredths, so 1.1 is exactly 110/100).
// 10. Ties between equal remainders in a largest-remainder split go to the line that comes first
//     by (sku, category, amount, quantity) — not by position — so reordering the lines of a
//     receipt moves each line's points with it.
//
// Time: startsAt/endsAt are instants compared with `at`; daysOfWeek and hours are read on the
// wall clock of `timeZone` (see rule-conditions.ts, including how an hours window that wraps
// midnight counts towards the day it started).

import { lineMatches, ruleApplies } from './rule-conditions.ts';

export { ruleApplies } from './rule-conditions.ts';

export type Rounding = 'floor' | 'round' | 'ceil';

export interface RuleConditions {
  /** ISO instant, inclusive. */
  startsAt?: string;
  /** ISO instant, inclusive. */
  endsAt?: string;
  /** 1 = Monday … 7 = Sunday, in `timeZone` (the store's, else the tenant's). */
  daysOfWeek?: number[];
  /** 'HH:MM' local time in `timeZone`; from inclusive, to exclusive; from > to wraps midnight. */
  hours?: { from: string; to: string };
  /** Store ids. */
  stores?: string[];
  channels?: ('store' | 'online')[];
  /** Tier codes. */
  tiers?: string[];
  /** Minor units, compared (inclusively) with the sum of the matching line amounts. */
  minSpend?: number;
  /** Which lines the rule applies to: a line matches when its sku is in skus OR its category is in categories. */
  skus?: string[];
  categories?: string[];
}

export type RuleEffect =
  | { type: 'base'; spendPerPoint: number; rounding: Rounding }
  | { type: 'multiplier'; multiplier: number }
  | { type: 'bonus'; points: number; per: 'transaction' | 'line' | 'unit' }
  | { type: 'first_purchase'; points: number }
  | { type: 'cap'; maxPerTransaction?: number; maxPerMemberPerDay?: number };

export interface EarningRule {
  id: string;
  name: string;
  /** Higher wins ties. */
  priority: number;
  /** Rules sharing a group: only the one that gives the most points applies (tie: higher priority, then lower id). */
  exclusivityGroup: string | null;
  conditions: RuleConditions;
  effect: RuleEffect;
}

/** `amount` = what the member pays for the line's goods (after discounts and the points-paid share), minor units. */
export interface EarningLine {
  sku: string;
  category: string | null;
  quantity: number;
  amount: number;
}

export interface EarningInput {
  /** Active rules only (the caller filters paused ones). */
  rules: EarningRule[];
  lines: EarningLine[];
  /** The sale's occurredAt. */
  at: Date;
  /** IANA, e.g. 'Asia/Jakarta', 'Asia/Makassar': the store's, else the tenant's. */
  timeZone: string;
  storeId: string | null;
  channel: 'store' | 'online';
  member: { tierCode: string; tierName: string; tierMultiplier: number; isFirstPurchase: boolean; pointsEarnedToday: number };
}

/** `ruleId` is null for the tier line (`tier:<code>`). */
export interface BreakdownItem {
  ruleId: string | null;
  rule: string;
  points: number;
}

export interface EarningResult {
  points: number;
  linePoints: number[];
  breakdown: BreakdownItem[];
}

type BaseEffect = Extract<RuleEffect, { type: 'base' }>;

interface Award {
  item: BreakdownItem;
  linePoints: number[];
}

interface Cart {
  input: EarningInput;
  /** What each line contributes to earning: floor(amount) when positive, else 0. */
  paid: bigint[];
  /** Tie order for largest-remainder splits (see 10). */
  tieRank: number[];
}

interface Base {
  rule: EarningRule;
  effect: BaseEffect;
  /** The base rule's matching lines. */
  eligible: boolean[];
  points: number;
  linePoints: number[];
}

const KIND_ORDER: Record<RuleEffect['type'], number> = { base: 0, multiplier: 1, bonus: 2, first_purchase: 3, cap: 4 };

export function earnPoints(input: EarningInput): EarningResult {
  const lineCount = input.lines.length;
  const cart: Cart = { input, paid: input.lines.map((line) => paidOf(line.amount)), tieRank: tieRanks(input.lines) };
  const applicable = input.rules.filter((rule) => ruleApplies(rule, input)).sort(byPriorityThenId);

  const awards: Award[] = [];

  // 2. The one base rule.
  const baseRule = applicable.find((rule) => rule.effect.type === 'base');
  const base = baseRule ? computeBase(baseRule, cart) : null;
  if (base && base.points > 0) awards.push({ item: { ruleId: base.rule.id, rule: base.rule.name, points: base.points }, linePoints: base.linePoints });

  // 3. The tier.
  if (base && base.points > 0) {
    const extra = extraPoints(base.points, hundredths(input.member.tierMultiplier));
    if (extra > 0) {
      awards.push({
        item: { ruleId: null, rule: `tier:${input.member.tierCode}`, points: extra },
        linePoints: split(extra, cart.paid.map((p, i) => (base.eligible[i] ? p : 0n)), cart.tieRank),
      });
    }
  }

  // 4–6. Multipliers, bonuses and first purchase, one per exclusivity group.
  const stacking = applicable.filter((rule) => rule.effect.type !== 'base' && rule.effect.type !== 'cap');
  const candidates = stacking.map((rule) => ({ rule, award: computeStacking(rule, cart, base) }));
  const bestOfGroup = new Map<string, (typeof candidates)[number]>();
  for (const candidate of candidates) {
    const group = candidate.rule.exclusivityGroup;
    if (group === null || group === undefined) continue;
    const best = bestOfGroup.get(group);
    // candidates are sorted by priority, then id: a later one wins only with strictly more points.
    if (!best || candidate.award.item.points > best.award.item.points) bestOfGroup.set(group, candidate);
  }
  const chosen = candidates
    .filter((c) => c.rule.exclusivityGroup === null || c.rule.exclusivityGroup === undefined || bestOfGroup.get(c.rule.exclusivityGroup) === c)
    .sort((a, b) => KIND_ORDER[a.rule.effect.type] - KIND_ORDER[b.rule.effect.type] || byPriorityThenId(a.rule, b.rule));
  for (const { award } of chosen) if (award.item.points > 0) awards.push(award);

  let linePoints = new Array<number>(lineCount).fill(0);
  for (const award of awards) award.linePoints.forEach((p, i) => (linePoints[i] += p));
  const breakdown = awards.map((award) => award.item);
  const uncapped = sum(linePoints);

  // 7. The strictest cap.
  let cap: { rule: EarningRule; limit: number } | null = null;
  for (const rule of applicable) {
    if (rule.effect.type !== 'cap') continue;
    const limit = capLimit(rule.effect, input.member.pointsEarnedToday);
    if (limit !== null && (cap === null || limit < cap.limit)) cap = { rule, limit };
  }
  if (cap && uncapped > cap.limit) {
    breakdown.push({ ruleId: cap.rule.id, rule: cap.rule.name, points: cap.limit - uncapped });
    linePoints = split(cap.limit, linePoints.map(BigInt), cart.tieRank);
  }

  return { points: sum(linePoints), linePoints, breakdown };
}

function computeBase(rule: EarningRule, cart: Cart): Base {
  const effect = rule.effect as BaseEffect;
  const eligible = cart.input.lines.map((line, i) => cart.paid[i] > 0n && lineMatches(rule.conditions, line));
  const weights = cart.paid.map((p, i) => (eligible[i] ? p : 0n));
  const points = divide(sumBig(weights), spendPerPointOf(effect), effect.rounding);
  return { rule, effect, eligible, points, linePoints: split(points, weights, cart.tieRank) };
}

/** A multiplier, bonus or first-purchase rule's points on its own, attributed to lines. */
function computeStacking(rule: EarningRule, cart: Cart, base: Base | null): Award {
  const { input, paid, tieRank } = cart;
  const matching = input.lines.map((line, i) => paid[i] > 0n && lineMatches(rule.conditions, line));
  const matchedAmounts = paid.map((p, i) => (matching[i] ? p : 0n));
  const anyMatch = matching.some(Boolean);
  const award = (points: number, linePoints: number[]): Award => ({ item: { ruleId: rule.id, rule: rule.name, points }, linePoints });
  const zero = () => award(0, input.lines.map(() => 0));
  const effect = rule.effect;

  switch (effect.type) {
    case 'multiplier': {
      if (!base) return zero();
      const both = matching.map((m, i) => m && base.eligible[i]);
      const amounts = paid.map((p, i) => (both[i] ? p : 0n));
      const basePointsOfMatching = divide(sumBig(amounts), spendPerPointOf(base.effect), base.effect.rounding);
      const extra = extraPoints(basePointsOfMatching, hundredths(effect.multiplier));
      if (extra === 0) return zero();
      const byBasePoints = base.linePoints.map((p, i) => (both[i] ? BigInt(p) : 0n));
      // B > 0 guarantees the matched lines have an amount, not necessarily base points of their own.
      return award(extra, split(extra, sumBig(byBasePoints) > 0n ? byBasePoints : amounts, tieRank));
    }
    case 'bonus': {
      const points = wholePoints(effect.points);
      if (!anyMatch || points === 0) return zero();
      if (effect.per === 'transaction') return award(points, split(points, matchedAmounts, tieRank));
      const perLine = input.lines.map((line, i) => (matching[i] ? points * (effect.per === 'line' ? 1 : unitsOf(line.quantity)) : 0));
      return award(sum(perLine), perLine);
    }
    case 'first_purchase': {
      const points = wholePoints(effect.points);
      if (!anyMatch || points === 0 || !input.member.isFirstPurchase) return zero();
      return award(points, split(points, matchedAmounts, tieRank));
    }
    default:
      return zero();
  }
}

/** The most a cap lets the sale earn, or null for a cap without limits. */
function capLimit(effect: Extract<RuleEffect, { type: 'cap' }>, pointsEarnedToday: number): number | null {
  const limits: number[] = [];
  if (effect.maxPerTransaction != null) limits.push(wholePoints(effect.maxPerTransaction));
  if (effect.maxPerMemberPerDay != null) limits.push(Math.max(0, wholePoints(effect.maxPerMemberPerDay) - wholePoints(pointsEarnedToday)));
  return limits.length ? Math.min(...limits) : null;
}

/** Splits `total` in proportion to `weights`; the parts are integers that add up to `total` exactly. */
export function shareByLargestRemainder(total: number, weights: number[]): number[] {
  const exact = Number.isSafeInteger(total) && total >= 0 && weights.every((w) => Number.isSafeInteger(w) && w >= 0);
  if (!exact) return shareByLargestRemainderFloat(total, weights);
  return split(total, weights.map(BigInt), weights.map((_, i) => i));
}

/**
 * Largest remainder in exact integer arithmetic: each part gets floor(total × w / Σw), and the
 * leftover goes one by one to the largest remainders, equal remainders by `tieRank` (lower first).
 */
function split(total: number, weights: bigint[], tieRank: number[]): number[] {
  const weightSum = sumBig(weights);
  if (total === 0 || weightSum === 0n) return weights.map(() => 0);
  const t = BigInt(total);
  const parts = weights.map((w) => (t * w) / weightSum);
  const remainders = weights.map((w) => (t * w) % weightSum);
  let left = total - parts.reduce((s, p) => s + Number(p), 0);
  const order = weights.map((_, i) => i).sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : tieRank[a] - tieRank[b]));
  const result = parts.map(Number);
  for (const i of order) {
    if (left-- <= 0) break;
    result[i]++;
  }
  return result;
}

/** The original floating-point split, kept for callers that pass fractional or negative weights. */
function shareByLargestRemainderFloat(total: number, weights: number[]): number[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0 || weightSum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / weightSum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((sum, p) => sum + p, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    parts[i]++;
  }
  return parts;
}

/** rounding(amount / spendPerPoint), exactly; 'round' takes halves up. */
function divide(amount: bigint, spendPerPoint: bigint, rounding: Rounding): number {
  const quotient = amount / spendPerPoint;
  const remainder = amount % spendPerPoint;
  if (rounding === 'ceil') return Number(quotient + (remainder > 0n ? 1n : 0n));
  if (rounding === 'round') return Number(quotient + (2n * remainder >= spendPerPoint ? 1n : 0n));
  return Number(quotient);
}

/** floor(points × (multiplier − 1)) with the multiplier in hundredths; a multiplier ≤ 1 adds nothing. */
function extraPoints(points: number, multiplierHundredths: number): number {
  if (multiplierHundredths <= 100 || points <= 0) return 0;
  return Number((BigInt(points) * BigInt(multiplierHundredths - 100)) / 100n);
}

/** A multiplier in hundredths (1.1 → 110, 1.15 → 115): immune to 1.1 × 100 = 110.00000000000001. */
function hundredths(multiplier: number): number {
  return Number.isFinite(multiplier) ? Math.round(multiplier * 100) : 100;
}

function spendPerPointOf(effect: BaseEffect): bigint {
  return BigInt(Number.isFinite(effect.spendPerPoint) ? Math.max(1, Math.floor(effect.spendPerPoint)) : Number.MAX_SAFE_INTEGER);
}

/** Rules are validated by rule-schema.ts; the engine still never turns a bad number into negative or fractional points. */
function wholePoints(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function unitsOf(quantity: number): number {
  return wholePoints(quantity);
}

function paidOf(amount: number): bigint {
  return Number.isFinite(amount) && amount > 0 ? BigInt(Math.floor(amount)) : 0n;
}

/** Each line's place in the canonical order (sku, category, amount, quantity, position) used to break ties. */
function tieRanks(lines: EarningLine[]): number[] {
  const order = lines
    .map((_, i) => i)
    .sort((a, b) => {
      const x = lines[a];
      const y = lines[b];
      return compareStrings(x.sku, y.sku) || compareStrings(x.category ?? '', y.category ?? '') || (x.category === null ? 0 : 1) - (y.category === null ? 0 : 1) ||
        compareNumbers(x.amount, y.amount) || compareNumbers(x.quantity, y.quantity) || a - b;
    });
  const rank = new Array<number>(lines.length);
  order.forEach((lineIndex, position) => (rank[lineIndex] = position));
  return rank;
}

function byPriorityThenId(a: EarningRule, b: EarningRule): number {
  return compareNumbers(b.priority, a.priority) || compareStrings(a.id, b.id);
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function sumBig(values: bigint[]): bigint {
  return values.reduce((s, v) => s + v, 0n);
}
