// The foundation's earning rule: one tenant-wide base rate. Points are earned on what the member
// pays for goods (after discounts and the part paid with points, excluding shipping), and each
// line's share is fixed at posting by largest remainder so refunds can reverse it line by line.

export interface EarningLine {
  amount: number;
}

export interface EarningInput {
  lines: EarningLine[];
  /** Goods discounts and the value paid with points, taken off the earning base. */
  deductions: number;
  /** Minor units of spend per point (1 point per Rp 10.000 = 1_000_000). */
  spendPerPoint: number;
}

export interface EarningResult {
  points: number;
  linePoints: number[];
  breakdown: { rule: string; points: number }[];
}

export function earnPoints(input: EarningInput): EarningResult {
  const subtotal = input.lines.reduce((sum, line) => sum + line.amount, 0);
  const base = Math.max(0, subtotal - input.deductions);
  const points = Math.floor(base / input.spendPerPoint);
  const linePoints = shareByLargestRemainder(points, input.lines.map((line) => line.amount));
  return { points, linePoints, breakdown: points > 0 ? [{ rule: 'base_rate', points }] : [] };
}

/** Splits `total` in proportion to `weights`; the parts are integers that add up to `total` exactly. */
export function shareByLargestRemainder(total: number, weights: number[]): number[] {
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
