import { describe, expect, it } from 'vitest';
import { SegmentRulesSchema } from '../../api/src/segments/segment-rules.ts';

const STORE = '0190a8c2-7b1e-7c3d-9e4f-0a1b2c3d4e5f';

const everyKind = [
  { type: 'tier', tiers: ['gold'] },
  { type: 'lifecycle', stages: ['at_risk', 'lapsed'], negate: true },
  { type: 'rfm', r: { min: 4 }, m: { min: 2, max: 3 } },
  { type: 'spend', withinDays: 30, min: 0 },
  { type: 'visits', withinDays: 90, max: 2 },
  { type: 'days_since_purchase', min: 60 },
  { type: 'bought', categories: ['roti'], withinDays: 365 },
  { type: 'store', stores: [STORE] },
  { type: 'birthday_month', months: [1, 12] },
  { type: 'tags', any: ['vip'], all: ['kopi', 'roti'] },
  { type: 'consent', marketing: false },
  { type: 'joined', withinDays: 7 },
];

const pathsOf = (rules: unknown) => {
  const result = SegmentRulesSchema.safeParse(rules);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('segment rules', () => {
  it('accepts every kind of condition as given', () => {
    const rules = { match: 'any', conditions: everyKind };
    expect(SegmentRulesSchema.parse(rules)).toEqual(rules);
  });

  it('trims tags and refuses one given twice after trimming', () => {
    expect(SegmentRulesSchema.parse({ match: 'all', conditions: [{ type: 'tags', any: [' vip '] }] }).conditions[0]).toEqual({ type: 'tags', any: ['vip'] });
    expect(pathsOf({ match: 'all', conditions: [{ type: 'tags', any: ['vip', ' vip'] }] })).toEqual(['conditions.0.any']);
  });

  it.each([
    ['a month 0', { type: 'birthday_month', months: [1, 0] }, 'conditions.0.months.1'],
    ['a score range the wrong way round', { type: 'rfm', f: { min: 4, max: 2 } }, 'conditions.0.f.max'],
    ['an empty score range', { type: 'rfm', f: {} }, 'conditions.0.f.min'],
    ['a fractional spend', { type: 'spend', withinDays: 30, min: 1.5 }, 'conditions.0.min'],
    ['a negative visit count', { type: 'visits', withinDays: 30, min: -1 }, 'conditions.0.min'],
    ['days since purchase without bounds', { type: 'days_since_purchase' }, 'conditions.0.min'],
    ['a window of 3651 days', { type: 'store', stores: [STORE], withinDays: 3651 }, 'conditions.0.withinDays'],
    ['consent without its value', { type: 'consent' }, 'conditions.0.marketing'],
    ['a tag with a comma', { type: 'tags', all: ['a,b'] }, 'conditions.0.all.0'],
    ['no type', { tiers: ['gold'] }, 'conditions.0.type'],
  ])('refuses %s at its path', (_, condition, path) => {
    expect(pathsOf({ match: 'all', conditions: [condition] })).toContain(path);
  });

  it('refuses more than 50 conditions and unknown keys at the top', () => {
    expect(pathsOf({ match: 'all', conditions: Array(51).fill({ type: 'consent', marketing: true }) })).toEqual(['conditions']);
    expect(pathsOf({ match: 'all', conditions: [], nested: [] })).toEqual(['']);
  });
});
