import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { EarningResult, EarningRule } from '../earning/earning-engine.ts';
import { activeRules, earningFor } from '../earning/earning.service.ts';
import { startOfLocalDay } from '../points/policy.ts';
import { evaluatePromotions, type Promotion, type PromotionLine, type PromotionResult, type VoucherInput } from '../promotions/promotion-engine.ts';
import { livePromotions } from '../promotions/promotions.repository.ts';
import { memberSegmentCodes } from '../segments/segments.service.ts';
import { invalidField } from '../shared/errors.ts';
import type { TenantRow } from '../tenants/tenants.repository.ts';
import { memberTier } from '../tiers/tiers.repository.ts';
import { voucherInputsFor } from '../vouchers/voucher-redemptions.service.ts';

export interface CartItem {
  sku: string;
  name?: string;
  category?: string;
  quantity: number;
  unitPrice: number;
}

export interface Cart {
  memberId: string | null;
  storeId: string | null;
  channel: 'store' | 'online';
  items: CartItem[];
  shipping?: { fee: number; region?: string };
  voucherCodes?: string[];
  pointsToRedeem: number;
  at: Date;
  /** When a sale is posted, if later than `at` (a backdated sale): its vouchers must still be valid then. */
  now?: Date;
  /** The promotion builder's preview only: a draft priced as if it were live, standing in for the saved promotion it edits. */
  draft?: { promotion: Promotion; replaces?: string };
}

export interface PricedLine extends CartItem {
  lineNo: number;
  amount: number;
  /** The line's share of the goods discounts. */
  discount: number;
}

export interface PricedCart {
  lines: PricedLine[];
  subtotal: number;
  discount: number;
  pointsValue: number;
  shipping: { fee: number; discount: number };
  total: number;
  earning: EarningResult;
  /** Discounts, applied promotions and vouchers, refused codes: the promotions engine's answer. */
  promotions: PromotionResult;
  /** The typed codes and the vouchers they matched, for redeeming them with the sale. */
  vouchers: VoucherInput[];
  /** The promotions the cart was priced against (a tier's free shipping too), for their names. */
  promotionsConsidered: Promotion[];
}

// Rp 100 billion in minor units: far beyond a real basket, far inside int8 and JS safe integers.
const MAX_AMOUNT = 1e13;
const MAX_POINTS = 1e12;
/** Minor units in a rupiah: discounts are rounded down to whole rupiah. */
const MINOR_PER_UNIT = 100;

/** A tier with free shipping takes part in checkout as a free-shipping promotion that outranks the others. */
const TIER_SHIPPING_PRIORITY = 1_000_000_000;

const noPoints = (count: number): EarningResult => ({ points: 0, linePoints: Array(count).fill(0), breakdown: [] });

/**
 * The one place a cart is priced: promotions and vouchers (promotion-engine.ts), totals by
 * API.md's arithmetic, and the points it earns under the tenant's active rules and bonus-points
 * promotions, as of the sale's time at its store. A sale and an evaluation agree.
 */
export async function priceCart(db: Db, tenant: TenantRow, store: { time_zone: string } | null, cart: Cart): Promise<PricedCart> {
  const lines = cart.items.map((item, index) => ({ ...item, lineNo: index + 1, amount: item.quantity * item.unitPrice, discount: 0 }));
  for (const [i, line] of lines.entries()) {
    if (line.amount > MAX_AMOUNT) throw invalidField(`body.items.${i}`, 'quantity × unitPrice is larger than any sale can be');
  }
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  if (subtotal > MAX_AMOUNT) throw invalidField('body.items', 'The sale is larger than any sale can be');
  if (cart.pointsToRedeem > 0 && !cart.memberId) throw invalidField('body.pointsToRedeem', 'Points can only be spent by a member');
  if (cart.pointsToRedeem * tenant.point_value > MAX_AMOUNT) throw invalidField('body.pointsToRedeem', 'Too many points');

  const timeZone = store?.time_zone ?? tenant.time_zone;
  const memberId = cart.memberId;
  const [promotions, vouchers, member] = await Promise.all([
    livePromotions(db, tenant.id, cart.at).then((live) => withDraft(live, cart.draft)),
    cart.voucherCodes?.length ? voucherInputsFor(db, tenant.id, cart.voucherCodes, memberId) : Promise.resolve([]),
    memberId ? memberContext(db, tenant.id, memberId, cart.at, timeZone) : Promise.resolve(null),
  ]);
  if (member?.tier?.free_shipping) promotions.push(tierShipping(member.tier, cart.at));
  const segments = member ? await segmentsFor(db, tenant.id, member.id, promotions, cart.at) : [];

  const fee = cart.shipping?.fee ?? 0;
  const promoted = evaluatePromotions({
    lines: lines.map((l) => ({ sku: l.sku, category: l.category ?? null, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount })),
    shipping: { fee, region: cart.shipping?.region ?? null },
    channel: cart.channel,
    storeId: cart.storeId,
    at: cart.at,
    now: cart.now,
    timeZone,
    minorPerUnit: MINOR_PER_UNIT,
    member: member ? promotionMember(member, segments) : null,
    promotions,
    vouchers,
  });
  promoted.lineDiscounts.forEach((discount, i) => (lines[i].discount = discount));
  const discount = promoted.goodsDiscount;
  const pointsValue = cart.pointsToRedeem * tenant.point_value;
  if (pointsValue > subtotal - discount) throw invalidField('body.pointsToRedeem', 'Points may pay for the goods, not more');
  const shipping = { fee, discount: promoted.shippingDiscount };
  const total = subtotal - discount - pointsValue + fee - shipping.discount;
  const earning = member
    ? earningOf(member, { ...cart, timeZone }, lines, pointsValue, promotionPointRules(promoted, promotions))
    : noPoints(lines.length);
  return { lines, subtotal, discount, pointsValue, shipping, total, earning, promotions: promoted, vouchers, promotionsConsidered: promotions };
}

/** The live promotions with a previewed draft in place of the saved promotion it edits (if any). */
function withDraft(live: Promotion[], draft: Cart['draft']): Promotion[] {
  if (!draft) return live;
  return [...live.filter((p) => p.id !== draft.replaces && p.id !== draft.promotion.id), draft.promotion];
}

export type MemberContext = Awaited<ReturnType<typeof memberContext>>;

const promotionMember = (member: MemberContext, segments: string[]) => ({ tierCode: member.tier?.code ?? '', segments, isFirstPurchase: member.isFirstPurchase });

/** Of the segments the promotions name, those the member is in at `at`; no query when none names one. */
function segmentsFor(db: Db, tenantId: string, memberId: string, promotions: Promotion[], at: Date): Promise<string[]> {
  const codes = promotions.flatMap((p) => p.conditions?.segments ?? []);
  return codes.length ? memberSegmentCodes(db, tenantId, memberId, codes, at) : Promise.resolve([]);
}

/**
 * The bonus-points promotions a member's sale gets, as earning rules: the promotions live at the
 * sale's time, evaluated for the member without vouchers, of which only the points are used. For
 * a sale whose discounts are fixed already (a claimed guest sale); its shipping region is not known.
 */
export async function promotionPointRulesFor(
  db: Db,
  tenantId: string,
  sale: { at: Date; timeZone: string; storeId: string | null; channel: 'store' | 'online'; shippingFee: number; lines: PromotionLine[] },
  member: MemberContext,
): Promise<EarningRule[]> {
  const promotions = await livePromotions(db, tenantId, sale.at);
  if (member.tier?.free_shipping) promotions.push(tierShipping(member.tier, sale.at));
  const segments = await segmentsFor(db, tenantId, member.id, promotions, sale.at);
  const result = evaluatePromotions({
    lines: sale.lines,
    shipping: { fee: sale.shippingFee, region: null },
    channel: sale.channel,
    storeId: sale.storeId,
    at: sale.at,
    timeZone: sale.timeZone,
    minorPerUnit: MINOR_PER_UNIT,
    member: promotionMember(member, segments),
    promotions,
    vouchers: [],
  });
  return promotionPointRules(result, promotions);
}

/** What earning needs to know of a member at the sale's time: the tenant's rules, the tier, the history. */
export async function memberContext(db: Db, tenantId: string, memberId: string, at: Date, timeZone: string) {
  const [rules, tier, history] = await Promise.all([
    activeRules(db, tenantId),
    memberTier(db, tenantId, memberId),
    memberHistory(db, tenantId, memberId, startOfLocalDay(at, timeZone)),
  ]);
  return { id: memberId, rules, tier, isFirstPurchase: history.sales === 0, pointsEarnedToday: history.pointsToday };
}

/**
 * Points on what the member pays for each line's goods (amount − discount, less the share paid
 * with points) under the tenant's rules and any bonus-points promotions.
 */
export function earningOf(
  member: MemberContext,
  sale: { at: Date; timeZone: string; storeId: string | null; channel: 'store' | 'online' },
  lines: { sku: string; category?: string | null; quantity: number; amount: number; discount: number }[],
  pointsValue: number,
  promotionRules: EarningRule[] = [],
): EarningResult {
  const { tier } = member;
  const earning = earningFor(
    [...member.rules, ...promotionRules],
    lines.map((l) => ({ sku: l.sku, category: l.category ?? null, quantity: l.quantity, amount: l.amount - l.discount })),
    pointsValue,
    {
      at: sale.at,
      timeZone: sale.timeZone,
      storeId: sale.storeId,
      channel: sale.channel,
      member: {
        tierCode: tier?.code ?? '',
        tierName: tier?.name ?? '',
        tierMultiplier: (tier?.earn_multiplier_pct ?? 100) / 100,
        isFirstPurchase: member.isFirstPurchase,
        pointsEarnedToday: member.pointsEarnedToday,
      },
    },
  );
  if (earning.points > MAX_POINTS) throw invalidField('body.items', 'This sale would earn more points than any sale may');
  return earning;
}

function tierShipping(tier: { code: string; name: string }, at: Date): Promotion {
  const instant = at.toISOString();
  return {
    id: `tier:${tier.code}`, name: tier.name, priority: TIER_SHIPPING_PRIORITY, exclusivityGroup: null,
    startsAt: instant, endsAt: instant, conditions: {}, effect: { type: 'free_shipping' },
  };
}

/**
 * Bonus-points promotions the engine accepted, as earning rules without conditions (the
 * promotion's own conditions already held): fixed points once per sale, or a multiplier on the
 * base that stacks additively with the others. Caps still limit the whole sale.
 */
function promotionPointRules(result: PromotionResult, promotions: Promotion[]): EarningRule[] {
  const nameOf = (id: string) => promotions.find((p) => p.id === id)?.name ?? id;
  return [
    ...result.points.bonus.map(({ promotionId, points }) => ({
      id: promotionId, name: nameOf(promotionId), priority: 0, exclusivityGroup: null, conditions: {},
      effect: { type: 'bonus' as const, points, per: 'transaction' as const },
    })),
    ...result.points.multipliers.map(({ promotionId, multiplier }) => ({
      id: promotionId, name: nameOf(promotionId), priority: 0, exclusivityGroup: null, conditions: {},
      effect: { type: 'multiplier' as const, multiplier },
    })),
  ];
}

/** Whether the member bought before, and what they earned since the start of that local day. */
async function memberHistory(db: Db, tenantId: string, memberId: string, dayStart: Date) {
  const row = await db
    .selectFrom('transactions')
    .select([
      sql<number>`count(*)`.as('sales'),
      sql<number>`coalesce(sum(points_earned) filter (where occurred_at >= ${dayStart} and occurred_at < ${dayStart}::timestamptz + interval '1 day'), 0)`.as('points_today'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'posted')
    .executeTakeFirstOrThrow();
  return { sales: Number(row.sales), pointsToday: Number(row.points_today) };
}
