// The earning engine against a reference model: the rules written out the plainest way, per rule,
// in BigInt, with the local clock taken from the zone's fixed UTC offset instead of Intl, and no
// line attribution at all. The engine must agree with it on the total and on each rule's points.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earnPoints, ruleApplies, type EarningInput, type EarningLine, type EarningResult, type EarningRule, type RuleConditions, type RuleEffect } from '../../api/src/earning/earning-engine.ts';

// ---------------------------------------------------------------------------------------------
// Reference model

const OFFSET_HOURS: Record<string, number> = { 'Asia/Jakarta': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 };

function refLocal(at: Date, timeZone: string) {
  const local = new Date(at.getTime() + OFFSET_HOURS[timeZone] * 3600_000);
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  return { weekday, minutes: local.getUTCHours() * 60 + local.getUTCMinutes() };
}

function hhmm(s: string): number {
  return Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
}

function refMatches(c: RuleConditions, l: EarningLine): boolean {
  if (l.amount <= 0) return false;
  const skus = c.skus ?? [];
  const categories = c.categories ?? [];
  if (skus.length === 0 && categories.length === 0) return true;
  return skus.includes(l.sku) || (l.category !== null && categories.includes(l.category));
}

function refApplies(rule: EarningRule, input: EarningInput): boolean {
  const c = rule.conditions;
  if (c.startsAt && input.at.getTime() < Date.parse(c.startsAt)) return false;
  if (c.endsAt && input.at.getTime() > Date.parse(c.endsAt)) return false;
  if (c.stores && (input.storeId === null || !c.stores.includes(input.storeId))) return false;
  if (c.channels && !c.channels.includes(input.channel)) return false;
  if (c.tiers && !c.tiers.includes(input.member.tierCode)) return false;
  const { weekday, minutes } = refLocal(input.at, input.timeZone);
  let day = weekday;
  if (c.hours) {
    const from = hhmm(c.hours.from);
    const to = hhmm(c.hours.to);
    if (from < to) {
      if (minutes < from || minutes >= to) return false;
    } else if (minutes >= from) {
      // the evening part of a window that wraps midnight
    } else if (minutes < to) {
      day = weekday === 1 ? 7 : weekday - 1; // the morning part belongs to the day before
    } else {
      return false;
    }
  }
  if (c.daysOfWeek && !c.daysOfWeek.includes(day)) return false;
  const matching = input.lines.filter((l) => refMatches(c, l));
  if ((c.skus || c.categories) && matching.length === 0) return false;
  if (c.minSpend !== undefined && matching.reduce((s, l) => s + l.amount, 0) < c.minSpend) return false;
  return true;
}

function refRound(amount: bigint, spendPerPoint: bigint, rounding: string): bigint {
  if (rounding === 'floor') return amount / spendPerPoint;
  if (rounding === 'ceil') return (amount + spendPerPoint - 1n) / spendPerPoint;
  return (2n * amount + spendPerPoint) / (2n * spendPerPoint);
}

const better = (a: EarningRule, b: EarningRule) => a.priority > b.priority || (a.priority === b.priority && a.id < b.id);

/** Each rule's points (the tier under 'tier'), and the total. */
function reference(input: EarningInput): { total: bigint; perRule: Map<string | null, bigint> } {
  const applicable = input.rules.filter((r) => refApplies(r, input));
  const perRule = new Map<string | null, bigint>();

  let baseRule: EarningRule | null = null;
  for (const r of applicable) if (r.effect.type === 'base' && (baseRule === null || better(r, baseRule))) baseRule = r;
  const baseOf = (lines: EarningLine[]): bigint => {
    if (!baseRule || baseRule.effect.type !== 'base') return 0n;
    const amount = lines.filter((l) => refMatches(baseRule!.conditions, l)).reduce((s, l) => s + BigInt(l.amount), 0n);
    return refRound(amount, BigInt(baseRule.effect.spendPerPoint), baseRule.effect.rounding);
  };
  const base = baseOf(input.lines);
  if (baseRule) perRule.set(baseRule.id, base);
  const tierHundredths = BigInt(Math.round(input.member.tierMultiplier * 100));
  if (tierHundredths > 100n) perRule.set(null, (base * (tierHundredths - 100n)) / 100n);

  const worth = (r: EarningRule): bigint => {
    const matching = input.lines.filter((l) => refMatches(r.conditions, l));
    const e = r.effect;
    if (e.type === 'multiplier') return (baseOf(matching) * BigInt(Math.round(e.multiplier * 100) - 100)) / 100n;
    if (matching.length === 0) return 0n;
    if (e.type === 'first_purchase') return input.member.isFirstPurchase ? BigInt(e.points) : 0n;
    if (e.type !== 'bonus') return 0n;
    if (e.per === 'transaction') return BigInt(e.points);
    if (e.per === 'line') return BigInt(e.points) * BigInt(matching.length);
    return BigInt(e.points) * matching.reduce((s, l) => s + BigInt(l.quantity), 0n);
  };
  const winners = new Map<string, EarningRule>();
  for (const r of applicable) {
    if (r.effect.type === 'base' || r.effect.type === 'cap') continue;
    if (r.exclusivityGroup === null) {
      perRule.set(r.id, worth(r));
      continue;
    }
    const w = winners.get(r.exclusivityGroup);
    if (!w || worth(r) > worth(w) || (worth(r) === worth(w) && better(r, w))) winners.set(r.exclusivityGroup, r);
  }
  for (const r of winners.values()) perRule.set(r.id, worth(r));

  let total = [...perRule.values()].reduce((s, p) => s + p, 0n);
  let strictest: { rule: EarningRule; limit: bigint } | null = null;
  for (const r of applicable) {
    if (r.effect.type !== 'cap') continue;
    const limits: bigint[] = [];
    if (r.effect.maxPerTransaction !== undefined) limits.push(BigInt(r.effect.maxPerTransaction));
    if (r.effect.maxPerMemberPerDay !== undefined) {
      const left = BigInt(r.effect.maxPerMemberPerDay) - BigInt(input.member.pointsEarnedToday);
      limits.push(left > 0n ? left : 0n);
    }
    const limit = limits.reduce((a, b) => (b < a ? b : a));
    if (!strictest || limit < strictest.limit || (limit === strictest.limit && better(r, strictest.rule))) strictest = { rule: r, limit };
  }
  if (strictest && total > strictest.limit) {
    perRule.set(strictest.rule.id, strictest.limit - total);
    total = strictest.limit;
  }
  return { total, perRule };
}

// ---------------------------------------------------------------------------------------------
// Generators: small domains, so that conditions and exclusivity groups often collide.

const TIME_ZONES = Object.keys(OFFSET_HOURS);
const SKUS = ['A', 'B', 'C', 'D'];
const CATEGORIES = ['food', 'drink', 'snack'];
const STORES = ['s1', 's2'];
const TIERS = ['silver', 'gold'];
const FROM = Date.parse('2026-01-01T00:00:00Z');
const TO = Date.parse('2027-01-31T00:00:00Z');
const HOURS = ['00:00', '02:00', '06:30', '10:00', '14:00', '18:00', '22:00', '23:59'];

const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));
/** A sale's time: anywhere, or within a minute of an hours boundary on some local clock. */
const saleInstant = fc.oneof(
  instant,
  fc
    .tuple(fc.integer({ min: 0, max: 390 }), fc.constantFrom(...HOURS), fc.constantFrom(...Object.values(OFFSET_HOURS)), fc.constantFrom(-60_000, -1, 0, 59_999))
    .map(([day, time, offset, nudge]) => new Date(FROM + day * 86400_000 + (hhmm(time) - offset * 60) * 60_000 + nudge)),
);
const isoWithZone = (d: Date, tz: string) => {
  const h = OFFSET_HOURS[tz];
  return new Date(d.getTime() + h * 3600_000).toISOString().slice(0, 19) + `+0${h}:00`;
};

const lineArb: fc.Arbitrary<EarningLine> = fc.record({
  sku: fc.constantFrom(...SKUS),
  category: fc.constantFrom(null, ...CATEGORIES),
  quantity: fc.integer({ min: 1, max: 5 }),
  amount: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 3_000_000 }) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 600 }).map((n) => n * 50_000) },
  ),
});

const CONDITION_ARBS = {
  startsAt: fc.tuple(instant, fc.constantFrom(...TIME_ZONES)).map(([d, tz]) => isoWithZone(d, tz)),
  endsAt: fc.tuple(instant, fc.constantFrom(...TIME_ZONES)).map(([d, tz]) => isoWithZone(d, tz)),
  daysOfWeek: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  hours: fc.tuple(fc.constantFrom(...HOURS), fc.constantFrom(...HOURS)).filter(([f, t]) => f !== t).map(([from, to]) => ({ from, to })),
  stores: fc.subarray(STORES, { minLength: 1 }),
  channels: fc.subarray(['store', 'online'] as ('store' | 'online')[], { minLength: 1 }),
  tiers: fc.subarray(TIERS, { minLength: 1 }),
  minSpend: fc.oneof(fc.integer({ min: 0, max: 20_000_000 }), fc.integer({ min: 0, max: 200 }).map((n) => n * 100_000)),
  skus: fc.subarray(SKUS, { minLength: 1 }),
  categories: fc.subarray(CATEGORIES, { minLength: 1 }),
};

// Mostly no condition or one or two of them, so that most rules apply to most carts.
const conditionsArb: fc.Arbitrary<RuleConditions> = fc
  .tuple(fc.record(CONDITION_ARBS), fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 4 }, { arbitrary: fc.integer({ min: 3, max: 10 }), weight: 1 }))
  .chain(([all, n]) => fc.shuffledSubarray(Object.keys(all) as (keyof RuleConditions)[], { minLength: n, maxLength: n }).map((keys) => Object.fromEntries(keys.map((k) => [k, all[k]])) as RuleConditions));

const effectArb: fc.Arbitrary<RuleEffect> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('base' as const),
      spendPerPoint: fc.constantFrom(1, 7, 100, 10_000, 333_333, 1_000_000),
      rounding: fc.constantFrom('floor' as const, 'round' as const, 'ceil' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('multiplier' as const), multiplier: fc.integer({ min: 101, max: 1000 }).map((h) => h / 100) }) },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('bonus' as const), points: fc.integer({ min: 1, max: 500 }), per: fc.constantFrom('transaction' as const, 'line' as const, 'unit' as const) }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('first_purchase' as const), points: fc.integer({ min: 1, max: 500 }) }) },
  {
    weight: 1,
    arbitrary: fc
      .record({ type: fc.constant('cap' as const), maxPerTransaction: fc.integer({ min: 0, max: 3000 }), maxPerMemberPerDay: fc.integer({ min: 0, max: 3000 }) }, { requiredKeys: ['type'] })
      .filter((c) => c.maxPerTransaction !== undefined || c.maxPerMemberPerDay !== undefined),
  },
);

const ruleArb = (effect: fc.Arbitrary<RuleEffect> = effectArb) =>
  fc.record({
    id: fc.stringMatching(/^[a-f0-9]{1,3}$/),
    name: fc.constantFrom('Weekend', 'Promo', 'Rule'),
    priority: fc.integer({ min: 0, max: 3 }),
    exclusivityGroup: fc.constantFrom(null, null, 'g1', 'g2'),
    conditions: conditionsArb,
    effect,
  });

const rulesArb = (effect?: fc.Arbitrary<RuleEffect>) => fc.uniqueArray(ruleArb(effect), { minLength: 1, maxLength: 8, selector: (r) => r.id });

const inputArb = (rules: fc.Arbitrary<EarningRule[]> = rulesArb()): fc.Arbitrary<EarningInput> =>
  fc.record({
    rules,
    lines: fc.oneof({ weight: 1, arbitrary: fc.constant<EarningLine[]>([]) }, { weight: 9, arbitrary: fc.array(lineArb, { minLength: 1, maxLength: 7 }) }),
    at: saleInstant,
    timeZone: fc.constantFrom(...TIME_ZONES),
    storeId: fc.constantFrom(null, ...STORES),
    channel: fc.constantFrom('store' as const, 'online' as const),
    member: fc.record({
      tierCode: fc.constantFrom(...TIERS),
      tierName: fc.constant('Tier'),
      tierMultiplier: fc.integer({ min: 100, max: 300 }).map((h) => h / 100),
      isFirstPurchase: fc.boolean(),
      pointsEarnedToday: fc.integer({ min: 0, max: 3000 }),
    }),
  });

const anyRuleArb = ruleArb();

/** A rule that cannot apply to `input`, by one of several conditions. */
const inapplicableRuleArb = (input: EarningInput) =>
  fc
    .tuple(
      anyRuleArb,
      fc.constantFrom<RuleConditions>(
        { endsAt: new Date(input.at.getTime() - 1).toISOString() },
        { startsAt: new Date(input.at.getTime() + 1000).toISOString() },
        { stores: ['elsewhere'] },
        { channels: [input.channel === 'store' ? 'online' : 'store'] },
        { tiers: ['nobody'] },
        { skus: ['NOT-SOLD'] },
        { minSpend: input.lines.reduce((s, l) => s + l.amount, 0) + 1 },
      ),
      fc.string({ minLength: 5, maxLength: 5 }),
    )
    .map(([r, conditions, id]): EarningRule => ({ ...r, id: `x-${id}`, conditions }));

// ---------------------------------------------------------------------------------------------

function checkInvariants(result: EarningResult, lineCount: number) {
  expect(result.linePoints).toHaveLength(lineCount);
  for (const p of result.linePoints) expect(Number.isSafeInteger(p) && p >= 0).toBe(true);
  expect(result.points).toBeGreaterThanOrEqual(0);
  expect(result.linePoints.reduce((a, b) => a + b, 0)).toBe(result.points);
  expect(result.breakdown.reduce((a, b) => a + b.points, 0)).toBe(result.points);
  // Only a cap is negative, only one cap, and it comes last.
  result.breakdown.forEach((b, i) => {
    expect(Number.isSafeInteger(b.points) && b.points !== 0).toBe(true);
    if (b.points < 0) expect(i).toBe(result.breakdown.length - 1);
  });
}

const RUNS = { numRuns: 1000 };

describe('earnPoints against the reference model', () => {
  it('gives the reference total and each rule the reference points (property)', () => {
    fc.assert(
      fc.property(inputArb(), (input) => {
        const result = earnPoints(input);
        const ref = reference(input);
        expect(result.points).toBe(Number(ref.total));
        const expected = [...ref.perRule].filter(([, p]) => p !== 0n).map(([id, p]) => [id, Number(p)]);
        const actual = result.breakdown.map((b) => [b.ruleId, b.points]);
        const byId = (a: (string | number | null)[], b: (string | number | null)[]) => String(a[0]).localeCompare(String(b[0]));
        expect(actual.sort(byId)).toEqual(expected.sort(byId));
        for (const b of result.breakdown) {
          expect(b.rule).toBe(b.ruleId === null ? `tier:${input.member.tierCode}` : input.rules.find((r) => r.id === b.ruleId)!.name);
        }
      }),
      RUNS,
    );
  });

  it('points = sum(linePoints) = sum(breakdown), every line ≥ 0, only the cap negative (property)', () => {
    fc.assert(
      fc.property(inputArb(), (input) => checkInvariants(earnPoints(input), input.lines.length)),
      RUNS,
    );
  });

  it('earns nothing on an empty cart or a cart of zero amounts (property)', () => {
    fc.assert(
      fc.property(inputArb(), fc.integer({ min: 0, max: 5 }), (input, n) => {
        const lines = input.lines.slice(0, n).map((l) => ({ ...l, amount: 0 }));
        expect(earnPoints({ ...input, lines })).toEqual({ points: 0, linePoints: lines.map(() => 0), breakdown: [] });
      }),
      RUNS,
    );
  });

  it('a rule that does not apply (paused, another store, ended, …) changes nothing (property)', () => {
    fc.assert(
      fc.property(
        inputArb().chain((input) => fc.tuple(fc.constant(input), inapplicableRuleArb(input), fc.nat({ max: input.rules.length }))),
        ([input, extra, at]) => {
          const rules = [...input.rules.slice(0, at), extra, ...input.rules.slice(at)];
          expect(earnPoints({ ...input, rules })).toEqual(earnPoints(input));
        },
      ),
      RUNS,
    );
  });

  it('doubling every line amount never lowers the points, without caps (property)', () => {
    // Base rules without minSpend: a higher-priority base rule that only starts applying above a
    // spend may have a worse rate, and then a bigger cart legitimately earns less.
    const noCaps = rulesArb(effectArb.filter((e) => e.type !== 'cap')).map((rules) =>
      rules.map((r) => (r.effect.type === 'base' ? { ...r, conditions: { ...r.conditions, minSpend: undefined } } : r)),
    );
    fc.assert(
      fc.property(inputArb(noCaps), (input) => {
        const doubled = { ...input, lines: input.lines.map((l) => ({ ...l, amount: l.amount * 2 })) };
        expect(earnPoints(doubled).points).toBeGreaterThanOrEqual(earnPoints(input).points);
      }),
      RUNS,
    );
  });

  it('permuting the lines permutes linePoints and keeps the total and the breakdown (property)', () => {
    fc.assert(
      fc.property(
        inputArb().chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray([...input.lines.keys()], { minLength: input.lines.length }))),
        ([input, order]) => {
          const before = earnPoints(input);
          const after = earnPoints({ ...input, lines: order.map((i) => input.lines[i]) });
          expect(after.points).toBe(before.points);
          expect(after.breakdown).toEqual(before.breakdown);
          // Identical lines are interchangeable; any other line keeps exactly its points.
          const key = (l: EarningLine, p: number) => JSON.stringify([l.sku, l.category, l.quantity, l.amount, p]);
          const pairsBefore = input.lines.map((l, i) => key(l, before.linePoints[i])).sort();
          const pairsAfter = order.map((i, j) => key(input.lines[i], after.linePoints[j])).sort();
          expect(pairsAfter).toEqual(pairsBefore);
        },
      ),
      RUNS,
    );
  });

  it('the order of the rules does not matter, and the same input gives the same output (property)', () => {
    fc.assert(
      fc.property(
        inputArb().chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray(input.rules, { minLength: input.rules.length }))),
        ([input, shuffled]) => {
          const result = earnPoints(input);
          expect(earnPoints(input)).toEqual(result);
          expect(earnPoints({ ...input, rules: shuffled })).toEqual(result);
        },
      ),
      RUNS,
    );
  });

  it('ruleApplies agrees with the reference on any mix of conditions, the clock read from fixed offsets (property)', () => {
    fc.assert(
      fc.property(inputArb(), fc.record(CONDITION_ARBS, { requiredKeys: [] }), (input, conditions) => {
        const r: EarningRule = { id: 'r', name: 'r', priority: 0, exclusivityGroup: null, conditions, effect: { type: 'bonus', points: 1, per: 'transaction' } };
        expect(ruleApplies(r, input)).toBe(refApplies(r, input));
      }),
      { numRuns: 3000 },
    );
  });

  it('the reference model itself: a lone base rule earns floor(amount / unit), and ×m on it adds floor(base × (m − 1))', () => {
    const input: EarningInput = {
      rules: [
        { id: 'b', name: 'b', priority: 0, exclusivityGroup: null, conditions: {}, effect: { type: 'base', spendPerPoint: 1_000_000, rounding: 'floor' } },
        { id: 'm', name: 'm', priority: 0, exclusivityGroup: null, conditions: {}, effect: { type: 'multiplier', multiplier: 1.5 } },
      ],
      lines: [{ sku: 'A', category: null, quantity: 1, amount: 15_500_000 }],
      at: new Date('2026-06-03T05:00:00Z'),
      timeZone: 'Asia/Jakarta',
      storeId: null,
      channel: 'store',
      member: { tierCode: 'silver', tierName: 'Silver', tierMultiplier: 1, isFirstPurchase: false, pointsEarnedToday: 0 },
    };
    expect(reference(input).total).toBe(15n + 7n);
    expect(earnPoints(input).points).toBe(22);
  });
});
