// Integer arithmetic for discounts, exact at any size: it stays in doubles while a product is a
// safe integer, and BigInt takes over beyond that. Inputs are whole, non-negative numbers (see
// `wholeNumber`) whose sums stay below 2^53 (priceCart keeps a sale below 10^13 minor units).

/** A non-negative whole number (minor units, points, percent): anything but a finite positive number counts as 0, fractions are cut. */
export function wholeNumber(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER) : 0;
}

/** Rounds down to a multiple of `unit` (whole rupiah with unit = 100). */
export function floorToUnit(amount: number, unit: number): number {
  return amount - (amount % unit);
}

/** floor(a × b / c), exactly, for non-negative safe integers and c > 0. */
export function mulDiv(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return (product - (product % c)) / c;
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/**
 * Splits `total` over `weights` in proportion: each part gets floor(total × w / Σw) and the
 * leftover goes one by one to the largest remainders, equal remainders to the lower `tieRank`.
 * The parts add up to `total`; with total ≤ Σw no part exceeds its weight, and a weight of 0 gets 0.
 */
export function splitByLargestRemainder(total: number, weights: number[], tieRank: number[]): number[] {
  let weightSum = 0;
  for (const w of weights) weightSum += w;
  const parts = new Array<number>(weights.length).fill(0);
  if (total === 0 || weightSum === 0) return parts;
  const remainders = new Array<number | bigint>(weights.length);
  let left = total;
  for (let i = 0; i < weights.length; i++) {
    const product = total * weights[i];
    if (Number.isSafeInteger(product)) {
      const remainder = product % weightSum;
      parts[i] = (product - remainder) / weightSum;
      remainders[i] = remainder;
    } else {
      const exact = BigInt(total) * BigInt(weights[i]);
      parts[i] = Number(exact / BigInt(weightSum));
      remainders[i] = exact % BigInt(weightSum);
    }
    left -= parts[i];
  }
  if (left > 0) {
    const order = weights.map((_, i) => i).filter((i) => remainders[i] > 0);
    order.sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : tieRank[a] - tieRank[b]));
    for (let k = 0; k < left; k++) parts[order[k]]++;
  }
  return parts;
}
