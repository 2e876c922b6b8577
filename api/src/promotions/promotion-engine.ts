// The promotions-and-vouchers engine for checkout: a pure function from (cart, time, place, member,
// active promotions, the vouchers the codes matched) to discounts, the shipping discount, the
// bonus points to pass on to earning, and every refused code with its reason. No I/O, no clock,
// no randomness: the same input always gives the same output. The database side resolves typed
// codes (api/src/vouchers/voucher-code.ts) and whatever needs history (uses left, owner,
// per-member limits) into `VoucherMatch.state`; everything that depends on the cart and the time
// is decided here.
//
// Semantics (what the API documentation and the portal should tell marketers and integrators):
//
//  0. Amounts are whole minor units (`minorPerUnit` of them make one currency unit: 100 for IDR).
//     A line's goods are max(0, floor(amount)); the goods subtotal is their sum, and shipping is
//     never part of it. A discount is rounded down to a whole currency unit, with one exception:
//     a discount that gives away all that is left of something — the goods (100% off, an amount
//     larger than what is left), a line (a free item on what is left of it), one unit of a free
//     item, the shipping fee — takes it to the minor unit, so that "free" is free even for a
//     price with sen (API.md's rounding cannot mean a free item still costs Rp 0,45).
//  1. Eligibility. A promotion takes part when all its conditions hold (promotion-conditions.ts)
//     and it gives something to this cart on its own: a discount above 0, or bonus points to a
//     member (a guest earns no points, so bonus-points promotions never apply to a guest).
//     Promotions that do not take part are simply absent from the result. A voucher takes part
//     unless it is refused (promotion-conditions.ts, reasons in their order of precedence; a
//     voucher that gives nothing on its own is `not_eligible`). A voucher's validity window must
//     hold both at the sale's time and `now`, when it is used: a backdated sale cannot use a
//     voucher that has expired since (promotions are judged at the sale's time only). A code for a
//     voucher already taking part (same voucherId, however it was typed) is `not_combinable`.
//  2. Exclusivity. Candidates are ranked: higher priority first, then the larger discount for this
//     cart on its own (goods or shipping, in minor units; bonus points count as 0), then
//     promotions before vouchers, then the lower id. In that order each candidate is accepted
//     unless a candidate accepted before it holds one of its groups: its `exclusivityGroup` (when
//     not null) and, for every free-shipping promotion or voucher, the built-in shipping group (at
//     most one shipping discount per order; it is not the same as a group someone names
//     'shipping'). An amount or percent voucher without an exclusivityGroup of its own is in the
//     group 'voucher_discount' (VOUCHER_DISCOUNT_GROUP): by default one discount voucher per order;
//     vouchers meant to stack get distinct groups. So each group keeps at most one candidate, the
//     best-ranked one not already knocked out through another group: a loser never knocks anyone
//     out. Refused vouchers are `not_combinable`; promotions are left out.
//  3. Goods discounts apply one after another, in the order: higher priority first, then
//     promotions before vouchers, then the lower id — never the order the codes were typed in,
//     so two vouchers give the same result either way round. Each works on the goods still left
//     after the ones before it:
//       percent  = floor(left × value / 100) to a whole unit (value 100 = all that is left);
//       amount   = min(value rounded down to a whole unit, left);
//       free item = the unit price of one unit of the cheapest line of that sku that still has
//                  goods left (tie: the line first in canonical order, see 6), at most what is
//                  left of that line;
//     each at most its maxDiscount rounded down to a whole unit (a voucher of any kind may have
//     one — "a free coffee up to Rp 30.000"; promotions have it for percent off and free shipping).
//     A discount that comes out 0 because the ones before it used the goods up is not applied: a
//     voucher is refused `not_combinable` (so it is not spent for nothing), a promotion left out.
//     The value and percent are whole numbers: a fraction is cut, a percent above 100 counts as
//     100, and a negative number as 0.
//  4. Shipping: the one accepted free-shipping effect gives min(fee, maxDiscount rounded down to a
//     whole unit), or the whole fee without a maxDiscount. Goods discounts never touch shipping.
//  5. Points: bonus-points promotions that were accepted are passed on, in application order, for
//     the earning step: `points` fixed extra points; `multiplier` m adds floor(base × (m − 1)),
//     where base is the sale's base points, stacking additively like earning multipliers (never
//     compounding). A multiplier ≤ 1 or a non-positive number of points is no effect.
//  6. Lines. A free item's discount goes to its line; every other goods discount is spread over
//     the lines in proportion to what is left of each at that moment, in minor units (largest
//     remainder, equal remainders to the line first by (sku, category, amount, quantity,
//     unitPrice) — not by position, so reordering the lines moves each line's discount with
//     it). Order discounts that follow one another with no free item between them are spread
//     together, which is the same proportion rounded once (and one split instead of many). What
//     a line pays for its goods, amount − lineDiscounts[i], is what the earning engine earns on.
//  7. Output: `discounts` are the goods discounts in application order (their sum is
//     `goodsDiscount`, the `discounts` of API.md's arithmetic); `applied` lists them, then the
//     shipping discount, then bonus points, each with the effect and the money it gives;
//     `rejected` lists refused codes in the order they were given.
//  8. Invariants: 0 ≤ goodsDiscount ≤ subtotal, so the goods left (≥ 0) can still be paid with
//     points; 0 ≤ shippingDiscount ≤ fee; sum(lineDiscounts) = goodsDiscount and 0 ≤
//     lineDiscounts[i] ≤ the line's goods; every discount is a multiple of minorPerUnit unless it
//     is the exception in 0; the order of vouchers and of lines in the input changes no amount.

import { floorToUnit, mulDiv, splitByLargestRemainder, wholeNumber } from './discount-arithmetic.ts';
import { evaluationOf, promotionApplies, voucherRejection } from './promotion-conditions.ts';

export interface PromotionConditions {
  /** Minor units, compared (inclusively) with the goods subtotal. */
  minSpend?: number;
  /** Tier codes. */
  tiers?: string[];
  /** Segment ids; the member must be in at least one. */
  segments?: string[];
  channels?: ('store' | 'online')[];
  /** Shipping regions. */
  regions?: string[];
  /** Store ids. */
  stores?: string[];
  firstPurchaseOnly?: boolean;
  /** 1 = Monday … 7 = Sunday, in `timeZone`. */
  daysOfWeek?: number[];
  /** 'HH:MM' local time in `timeZone`; from inclusive, to exclusive; from > to wraps midnight. */
  hours?: { from: string; to: string };
}

export type PromotionEffect =
  | { type: 'free_shipping'; maxDiscount?: number | null }
  /** value: whole percent, 1–100. */
  | { type: 'percent_off'; value: number; maxDiscount?: number | null }
  | { type: 'amount_off'; value: number }
  | { type: 'bonus_points'; points?: number | null; multiplier?: number | null };

export interface Promotion {
  id: string;
  name: string;
  /** Higher goes first and wins exclusivity. */
  priority: number;
  exclusivityGroup: string | null;
  /** ISO instant, inclusive. */
  startsAt: string;
  /** ISO instant, inclusive. */
  endsAt: string;
  conditions: PromotionConditions;
  effect: PromotionEffect;
}

export type VoucherKind = 'amount' | 'percent' | 'free_shipping' | 'free_item';

export interface VoucherMatch {
  voucherId: string;
  kind: VoucherKind;
  /** Minor units for 'amount', whole percent for 'percent'. */
  value: number | null;
  maxDiscount: number | null;
  /** The free item's sku. */
  sku: string | null;
  minSpend: number;
  /** ISO instants, inclusive; no start = valid from its creation, no expiry = never expires. */
  startsAt: string | null;
  expiresAt: string | null;
  channels: string[] | null;
  stores: string[] | null;
  priority: number;
  exclusivityGroup: string | null;
  /** What only the database knows: uses left, bound to another member, per-member limit, guest. */
  state: 'ok' | 'used_up' | 'not_eligible';
}

export interface VoucherInput {
  /** As the customer typed it. */
  code: string;
  /** The voucher the code names, or null for an unknown code. */
  match: VoucherMatch | null;
}

export interface PromotionLine {
  sku: string;
  category: string | null;
  quantity: number;
  /** Minor units, for a free item. */
  unitPrice: number;
  /** Minor units: the line's goods before discounts. */
  amount: number;
}

export interface PromotionInput {
  lines: PromotionLine[];
  shipping: { fee: number; region: string | null };
  channel: 'store' | 'online';
  storeId: string | null;
  /** The sale's occurredAt. */
  at: Date;
  /** When the vouchers are used, for a sale posted later than it happened; absent: `at`. */
  now?: Date;
  /** IANA: the store's, else the tenant's. */
  timeZone: string;
  /** Minor units in one currency unit: 100 for IDR. */
  minorPerUnit: number;
  /** null for a guest sale. */
  member: { tierCode: string; segments: string[]; isFirstPurchase: boolean } | null;
  /** Active promotions (the caller leaves out paused ones). */
  promotions: Promotion[];
  vouchers: VoucherInput[];
}

export type RejectionReason = 'unknown' | 'expired' | 'not_started' | 'min_spend' | 'used_up' | 'not_eligible' | 'wrong_channel' | 'wrong_store' | 'not_combinable';

export type DiscountSource = 'promotion' | 'voucher';

export interface Discount {
  source: DiscountSource;
  id: string;
  /** The code as typed, for vouchers. */
  code?: string;
  amount: number;
}

export interface AppliedItem extends Discount {
  effect: PromotionEffect['type'] | VoucherKind;
}

export interface PromotionResult {
  subtotal: number;
  discounts: Discount[];
  goodsDiscount: number;
  /** Per input line; adds up to goodsDiscount. */
  lineDiscounts: number[];
  shippingDiscount: number;
  applied: AppliedItem[];
  /** `index`: the code's position in `vouchers`. */
  rejected: { code: string; reason: RejectionReason; index: number }[];
  points: { bonus: { promotionId: string; points: number }[]; multipliers: { promotionId: string; multiplier: number }[] };
}

type Effect =
  | { kind: 'percent'; percent: number }
  | { kind: 'amount'; amount: number }
  | { kind: 'free_item'; sku: string | null }
  | { kind: 'shipping' }
  | { kind: 'points'; points: number; multiplier: number | null };

interface Candidate {
  source: DiscountSource;
  id: string;
  code?: string;
  /** Position in input.vouchers, for a voucher. */
  voucherIndex: number;
  priority: number;
  exclusivityGroup: string | null;
  label: AppliedItem['effect'];
  effect: Effect;
  /** maxDiscount in whole units, or null. */
  cap: number | null;
  /** The discount it gives this cart on its own (0 for points). */
  alone: number;
}

interface Cart {
  lines: PromotionLine[];
  unit: number;
  goods: number[];
  subtotal: number;
  fee: number;
  tieRank: number[];
}

const SHIPPING_GROUP = Symbol('shipping');

/** The exclusivity group of amount and percent vouchers that do not name one (2). */
const VOUCHER_DISCOUNT_GROUP = 'voucher_discount';

export function evaluatePromotions(input: PromotionInput): PromotionResult {
  const goods = input.lines.map((line) => wholeNumber(line.amount));
  const cart: Cart = {
    lines: input.lines,
    unit: Math.max(1, wholeNumber(input.minorPerUnit)),
    goods,
    subtotal: goods.reduce((s, g) => s + g, 0),
    fee: wholeNumber(input.shipping.fee),
    tieRank: tieRanks(input.lines),
  };
  const evaluation = evaluationOf(input, cart.subtotal);
  const reasons: (RejectionReason | null)[] = input.vouchers.map(() => null);

  // 1. Eligibility.
  const candidates: Candidate[] = [];
  for (const promotion of input.promotions) {
    if (!promotionApplies(promotion, evaluation)) continue;
    const candidate = promotionCandidate(promotion, cart);
    const awardsPoints = candidate.effect.kind === 'points' && input.member !== null && (candidate.effect.points > 0 || candidate.effect.multiplier !== null);
    if (candidate.alone > 0 || awardsPoints) candidates.push(candidate);
  }
  const taking = new Set<string>();
  input.vouchers.forEach((voucher, index) => {
    const candidate = voucher.match && voucherCandidate(voucher.code, voucher.match, index, cart);
    const reason = voucherRejection(voucher.match, evaluation, candidate !== null && candidate.alone > 0);
    if (reason !== null || candidate === null) reasons[index] = reason;
    else if (taking.has(candidate.id)) reasons[index] = 'not_combinable';
    else {
      taking.add(candidate.id);
      candidates.push(candidate);
    }
  });

  // 2. Exclusivity.
  const accepted: Candidate[] = [];
  const heldGroups = new Set<string | symbol>();
  for (const candidate of candidates.sort(byRank)) {
    const groups: (string | symbol)[] = [];
    if (candidate.exclusivityGroup != null) groups.push(candidate.exclusivityGroup);
    if (candidate.effect.kind === 'shipping') groups.push(SHIPPING_GROUP);
    if (groups.some((g) => heldGroups.has(g))) {
      if (candidate.source === 'voucher') reasons[candidate.voucherIndex] = 'not_combinable';
      continue;
    }
    for (const g of groups) heldGroups.add(g);
    accepted.push(candidate);
  }
  accepted.sort(byApplication);

  // 3. Goods discounts, one after another; order discounts are spread over the lines in runs (6).
  const discounts: Discount[] = [];
  const applied: AppliedItem[] = [];
  const lineLeft = goods.slice();
  const lineDiscounts = goods.map(() => 0);
  let left = cart.subtotal;
  let unspread = 0;
  const spread = () => {
    if (unspread === 0) return;
    const shares = splitByLargestRemainder(unspread, lineLeft, cart.tieRank);
    for (let i = 0; i < shares.length; i++) {
      lineLeft[i] -= shares[i];
      lineDiscounts[i] += shares[i];
    }
    unspread = 0;
  };
  for (const candidate of accepted) {
    const effect = candidate.effect;
    if (effect.kind === 'shipping' || effect.kind === 'points') continue;
    if (effect.kind === 'free_item') spread();
    const { amount, line } = goodsDiscount(candidate, effect, cart, left, lineLeft);
    if (amount === 0) {
      if (candidate.source === 'voucher') reasons[candidate.voucherIndex] = 'not_combinable';
      continue;
    }
    if (line === null) unspread += amount;
    else {
      lineLeft[line] -= amount;
      lineDiscounts[line] += amount;
    }
    left -= amount;
    const discount = discountOf(candidate, amount);
    discounts.push(discount);
    applied.push({ ...discount, effect: candidate.label });
  }
  spread();

  // 4. Shipping.
  const shipping = accepted.find((c) => c.effect.kind === 'shipping');
  if (shipping) applied.push({ ...discountOf(shipping, shipping.alone), effect: shipping.label });

  // 5. Points.
  const points: PromotionResult['points'] = { bonus: [], multipliers: [] };
  for (const candidate of accepted) {
    if (candidate.effect.kind !== 'points') continue;
    applied.push({ ...discountOf(candidate, 0), effect: candidate.label });
    if (candidate.effect.points > 0) points.bonus.push({ promotionId: candidate.id, points: candidate.effect.points });
    if (candidate.effect.multiplier !== null) points.multipliers.push({ promotionId: candidate.id, multiplier: candidate.effect.multiplier });
  }

  const rejected = input.vouchers.flatMap((voucher, i) => {
    const reason = reasons[i];
    return reason === null ? [] : [{ code: voucher.code, reason, index: i }];
  });
  return {
    subtotal: cart.subtotal,
    discounts,
    goodsDiscount: cart.subtotal - left,
    lineDiscounts,
    shippingDiscount: shipping?.alone ?? 0,
    applied,
    rejected,
    points,
  };
}

function promotionCandidate(promotion: Promotion, cart: Cart): Candidate {
  const e = promotion.effect;
  const effect: Effect =
    e.type === 'free_shipping'
      ? { kind: 'shipping' }
      : e.type === 'percent_off'
        ? { kind: 'percent', percent: percentOf(e.value) }
        : e.type === 'amount_off'
          ? { kind: 'amount', amount: floorToUnit(wholeNumber(e.value), cart.unit) }
          : { kind: 'points', points: wholeNumber(e.points), multiplier: multiplierOf(e.multiplier) };
  const maxDiscount = e.type === 'free_shipping' || e.type === 'percent_off' ? e.maxDiscount : null;
  return candidateOf(
    { source: 'promotion', id: promotion.id, voucherIndex: -1, priority: promotion.priority, exclusivityGroup: promotion.exclusivityGroup, label: e.type, effect, cap: capOf(maxDiscount, cart.unit) },
    cart,
  );
}

function voucherCandidate(code: string, v: VoucherMatch, voucherIndex: number, cart: Cart): Candidate {
  const effect: Effect =
    v.kind === 'amount'
      ? { kind: 'amount', amount: floorToUnit(wholeNumber(v.value), cart.unit) }
      : v.kind === 'percent'
        ? { kind: 'percent', percent: percentOf(v.value) }
        : v.kind === 'free_shipping'
          ? { kind: 'shipping' }
          : { kind: 'free_item', sku: v.sku };
  return candidateOf(
    {
      source: 'voucher', id: v.voucherId, code, voucherIndex, priority: v.priority, label: v.kind, effect, cap: capOf(v.maxDiscount, cart.unit),
      exclusivityGroup: v.exclusivityGroup ?? (v.kind === 'amount' || v.kind === 'percent' ? VOUCHER_DISCOUNT_GROUP : null),
    },
    cart,
  );
}

/** The candidate with `alone`, its discount for this cart on its own. */
function candidateOf(candidate: Omit<Candidate, 'alone'>, cart: Cart): Candidate {
  const c = candidate as Candidate;
  const { effect } = c;
  c.alone = effect.kind === 'points' ? 0 : effect.kind === 'shipping' ? capped(c, cart.fee) : goodsDiscount(c, effect, cart, cart.subtotal, cart.goods).amount;
  return c;
}

/** A goods discount on what is left (3), at most the cap; `line` is the free item's line, null for a discount on the whole order. */
function goodsDiscount(
  candidate: Candidate,
  effect: Extract<Effect, { kind: 'percent' | 'amount' | 'free_item' }>,
  cart: Cart,
  left: number,
  lineLeft: number[],
): { amount: number; line: number | null } {
  switch (effect.kind) {
    case 'percent':
      return { amount: capped(candidate, effect.percent >= 100 ? left : floorToUnit(mulDiv(left, effect.percent, 100), cart.unit)), line: null };
    case 'amount':
      return { amount: capped(candidate, Math.min(effect.amount, left)), line: null };
    case 'free_item': {
      let line = -1;
      for (let i = 0; i < cart.lines.length; i++) {
        if (cart.lines[i].sku !== effect.sku || lineLeft[i] === 0 || wholeNumber(cart.lines[i].unitPrice) === 0) continue;
        if (line === -1 || cheaper(cart, i, line)) line = i;
      }
      return line === -1 ? { amount: 0, line: null } : { amount: capped(candidate, Math.min(wholeNumber(cart.lines[line].unitPrice), lineLeft[line])), line };
    }
  }
}

function capped(candidate: Candidate, amount: number): number {
  return candidate.cap === null ? amount : Math.min(amount, candidate.cap);
}

function cheaper(cart: Cart, a: number, b: number): boolean {
  const x = wholeNumber(cart.lines[a].unitPrice);
  const y = wholeNumber(cart.lines[b].unitPrice);
  return x < y || (x === y && cart.tieRank[a] < cart.tieRank[b]);
}

function discountOf(candidate: Candidate, amount: number): Discount {
  const discount: Discount = { source: candidate.source, id: candidate.id, amount };
  if (candidate.code !== undefined) discount.code = candidate.code;
  return discount;
}

/** Exclusivity order (2): priority, the discount on its own, promotions first, id. */
function byRank(a: Candidate, b: Candidate): number {
  return compareNumbers(b.priority, a.priority) || compareNumbers(b.alone, a.alone) || bySourceThenId(a, b);
}

/** Application order (3): priority, promotions first, id. */
function byApplication(a: Candidate, b: Candidate): number {
  return compareNumbers(b.priority, a.priority) || bySourceThenId(a, b);
}

function bySourceThenId(a: Candidate, b: Candidate): number {
  return (a.source === 'promotion' ? 0 : 1) - (b.source === 'promotion' ? 0 : 1) || compareStrings(a.id, b.id);
}

/** A whole percent, 0–100. */
function percentOf(value: number | null | undefined): number {
  return Math.min(100, wholeNumber(value));
}

/** A cap in whole units, or null for none. */
function capOf(maxDiscount: number | null | undefined, unit: number): number | null {
  return maxDiscount == null ? null : floorToUnit(wholeNumber(maxDiscount), unit);
}

function multiplierOf(multiplier: number | null | undefined): number | null {
  return typeof multiplier === 'number' && Number.isFinite(multiplier) && multiplier > 1 ? multiplier : null;
}

/** Each line's place in the canonical order (sku, category, amount, quantity, unitPrice, position) used to break ties. */
function tieRanks(lines: PromotionLine[]): number[] {
  const order = lines
    .map((_, i) => i)
    .sort((a, b) => {
      const x = lines[a];
      const y = lines[b];
      return (
        compareStrings(x.sku, y.sku) ||
        compareStrings(x.category ?? '', y.category ?? '') ||
        (x.category === null ? 0 : 1) - (y.category === null ? 0 : 1) ||
        compareNumbers(x.amount, y.amount) ||
        compareNumbers(x.quantity, y.quantity) ||
        compareNumbers(x.unitPrice, y.unitPrice) ||
        a - b
      );
    });
  const rank = new Array<number>(lines.length);
  order.forEach((lineIndex, position) => (rank[lineIndex] = position));
  return rank;
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
