import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earnPoints, shareByLargestRemainder } from '../../api/src/earning/earning-engine.ts';

// 1 point per Rp 10.000, in minor units (IDR has two decimals).
const RP_10_000 = 1_000_000;

describe('earnPoints', () => {
  it('earns one point for a spend exactly at the spend unit', () => {
    expect(earnPoints({ lines: [{ amount: RP_10_000 }], deductions: 0, spendPerPoint: RP_10_000 })).toEqual({
      points: 1,
      linePoints: [1],
      breakdown: [{ rule: 'base_rate', points: 1 }],
    });
  });

  it('earns nothing one minor unit below the spend unit, and lists no rule', () => {
    expect(earnPoints({ lines: [{ amount: RP_10_000 - 1 }], deductions: 0, spendPerPoint: RP_10_000 })).toEqual({
      points: 0,
      linePoints: [0],
      breakdown: [],
    });
  });

  it('rounds down between multiples (Rp 109.999 → 10 points) and shares the points by line value', () => {
    const result = earnPoints({ lines: [{ amount: 9_000_000 }, { amount: 1_999_900 }], deductions: 0, spendPerPoint: RP_10_000 });
    expect(result.points).toBe(10);
    expect(result.linePoints).toEqual([8, 2]);
    expect(result.breakdown).toEqual([{ rule: 'base_rate', points: 10 }]);
  });

  it('earns nothing on a sale without lines', () => {
    expect(earnPoints({ lines: [], deductions: 0, spendPerPoint: RP_10_000 })).toEqual({ points: 0, linePoints: [], breakdown: [] });
  });

  it('takes deductions off the earning base (Rp 150.000 − Rp 1.000 → 14 points)', () => {
    const result = earnPoints({ lines: [{ amount: 15_000_000 }], deductions: 100_000, spendPerPoint: RP_10_000 });
    expect(result.points).toBe(14);
    expect(result.linePoints).toEqual([14]);
  });

  it('earns nothing, and never negative points, when deductions exceed the subtotal', () => {
    expect(earnPoints({ lines: [{ amount: 500_000 }, { amount: 700_000 }], deductions: 5_000_000, spendPerPoint: RP_10_000 })).toEqual({
      points: 0,
      linePoints: [0, 0],
      breakdown: [],
    });
  });

  it('earns nothing when deductions equal the subtotal exactly', () => {
    expect(earnPoints({ lines: [{ amount: 3 * RP_10_000 }], deductions: 3 * RP_10_000, spendPerPoint: RP_10_000 }).points).toBe(0);
  });

  it('gives zero-amount lines no points', () => {
    expect(earnPoints({ lines: [{ amount: 0 }, { amount: 5 * RP_10_000 }, { amount: 0 }], deductions: 0, spendPerPoint: RP_10_000 }).linePoints).toEqual([0, 5, 0]);
  });

  it('always earns floor(max(0, subtotal − deductions) / unit), shared out across the lines exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e10 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 1e11 }),
        fc.integer({ min: 1, max: 1e8 }),
        (amounts, deductions, spendPerPoint) => {
          const result = earnPoints({ lines: amounts.map((amount) => ({ amount })), deductions, spendPerPoint });
          const subtotal = amounts.reduce((a, b) => a + b, 0);
          const expected = Math.floor(Math.max(0, subtotal - deductions) / spendPerPoint);
          expect(result.points).toBe(expected);
          expect(result.linePoints).toHaveLength(amounts.length);
          expect(result.linePoints.reduce((a, b) => a + b, 0)).toBe(expected);
          expect(result.linePoints.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
          expect(result.breakdown).toEqual(expected > 0 ? [{ rule: 'base_rate', points: expected }] : []);
        },
      ),
    );
  });
});

describe('shareByLargestRemainder', () => {
  it('gives the leftover to the largest remainders (10 by 1:1:1 → 4, 3, 3)', () => {
    expect(shareByLargestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });

  it('breaks equal remainders by position, earliest first', () => {
    expect(shareByLargestRemainder(2, [5, 5, 5, 5])).toEqual([1, 1, 0, 0]);
  });

  it('prefers the larger remainder over the earlier position (7 by 1:2 → 2, 5)', () => {
    // exact shares 2.333… and 4.666…: the second line has the larger remainder.
    expect(shareByLargestRemainder(7, [1, 2])).toEqual([2, 5]);
  });

  it('splits exactly when the shares are whole', () => {
    expect(shareByLargestRemainder(100, [25, 25, 50])).toEqual([25, 25, 50]);
  });

  it('gives zero to every part when the total is zero or every weight is zero', () => {
    expect(shareByLargestRemainder(0, [3, 4])).toEqual([0, 0]);
    expect(shareByLargestRemainder(5, [0, 0])).toEqual([0, 0]);
    expect(shareByLargestRemainder(5, [])).toEqual([]);
  });

  const total = fc.integer({ min: 0, max: 1_000_000 });
  const weights = fc
    .array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 40 })
    .filter((ws) => ws.some((w) => w > 0));

  it('parts are non-negative integers that add up to the total exactly (property)', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = shareByLargestRemainder(t, ws);
        expect(parts).toHaveLength(ws.length);
        expect(parts.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(t);
      }),
    );
  });

  it('every part is within 1 of its exact proportional share, and zero weights get nothing (property)', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = shareByLargestRemainder(t, ws);
        const sum = ws.reduce((a, b) => a + b, 0);
        ws.forEach((w, i) => {
          const exact = (t * w) / sum;
          expect(parts[i]).toBeGreaterThanOrEqual(Math.floor(exact));
          expect(parts[i]).toBeLessThanOrEqual(Math.floor(exact) + 1);
          if (w === 0) expect(parts[i]).toBe(0);
        });
      }),
    );
  });

  it('is deterministic: the same input always gives the same parts (property)', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        expect(shareByLargestRemainder(t, [...ws])).toEqual(shareByLargestRemainder(t, [...ws]));
      }),
    );
  });

  it('a heavier weight never gets fewer points than a lighter one (property)', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = shareByLargestRemainder(t, ws);
        for (let i = 0; i < ws.length; i++) {
          for (let j = 0; j < ws.length; j++) {
            if (ws[i] > ws[j]) expect(parts[i]).toBeGreaterThanOrEqual(parts[j]);
          }
        }
      }),
    );
  });
});
