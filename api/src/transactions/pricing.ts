import { sql } from 'kysely';
import type { DB } from '@kartu/db';
import type { Selectable } from 'kysely';
import type { Db } from '../deps.ts';
import type { EarningResult } from '../earning/earning-engine.ts';
import { activeRules, earningFor } from '../earning/earning.service.ts';
import { startOfLocalDay } from '../points/policy.ts';
import { invalidField } from '../shared/errors.ts';
import { memberTier } from '../tiers/tiers.repository.ts';

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
  pointsToRedeem: number;
  at: Date;
}

export interface PricedCart {
  lines: (CartItem & { lineNo: number; amount: number })[];
  subtotal: number;
  discount: number;
  pointsValue: number;
  shipping: { fee: number; discount: number };
  total: number;
  earning: EarningResult;
}

// Rp 100 billion in minor units: far beyond a real basket, far inside int8 and JS safe integers.
const MAX_AMOUNT = 1e13;
const MAX_POINTS = 1e12;

const noPoints = (count: number): EarningResult => ({ points: 0, linePoints: Array(count).fill(0), breakdown: [] });

/**
 * The one place a cart is priced: totals by API.md's arithmetic and the points it earns under the
 * tenant's active rules, as of the sale's time at its store. A sale and an evaluation agree.
 */
export async function priceCart(db: Db, tenant: Selectable<DB['tenants']>, store: { time_zone: string } | null, cart: Cart): Promise<PricedCart> {
  const lines = cart.items.map((item, index) => ({ ...item, lineNo: index + 1, amount: item.quantity * item.unitPrice }));
  for (const [i, line] of lines.entries()) {
    if (line.amount > MAX_AMOUNT) throw invalidField(`body.items.${i}`, 'quantity × unitPrice is larger than any sale can be');
  }
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  if (subtotal > MAX_AMOUNT) throw invalidField('body.items', 'The sale is larger than any sale can be');
  if (cart.pointsToRedeem * tenant.point_value > MAX_AMOUNT) throw invalidField('body.pointsToRedeem', 'Too many points');
  const discount = 0;
  const pointsValue = cart.pointsToRedeem * tenant.point_value;
  if (pointsValue > subtotal - discount) throw invalidField('body.pointsToRedeem', 'Points may pay for the goods, not more');
  const fee = cart.shipping?.fee ?? 0;
  const totalWith = (shippingDiscount: number) => subtotal - discount - pointsValue + fee - shippingDiscount;
  if (!cart.memberId) {
    return { lines, subtotal, discount, pointsValue, shipping: { fee, discount: 0 }, total: totalWith(0), earning: noPoints(lines.length) };
  }

  const timeZone = store?.time_zone ?? tenant.time_zone;
  const [rules, tier, history] = await Promise.all([
    activeRules(db, tenant.id),
    memberTier(db, tenant.id, cart.memberId),
    memberHistory(db, tenant.id, cart.memberId, startOfLocalDay(cart.at, timeZone)),
  ]);
  const earning = earningFor(rules, lines.map((l) => ({ ...l, category: l.category ?? null })), discount + pointsValue, {
    at: cart.at,
    timeZone,
    storeId: cart.storeId,
    channel: cart.channel,
    member: {
      tierCode: tier?.code ?? '',
      tierName: tier?.name ?? '',
      tierMultiplier: (tier?.earn_multiplier_pct ?? 100) / 100,
      isFirstPurchase: history.sales === 0,
      pointsEarnedToday: history.pointsToday,
    },
  });
  if (earning.points > MAX_POINTS) throw invalidField('body.items', 'This sale would earn more points than any sale may');
  // A tier with free shipping pays the member's shipping fee.
  const shipping = { fee, discount: tier?.free_shipping ? fee : 0 };
  return { lines, subtotal, discount, pointsValue, shipping, total: totalWith(shipping.discount), earning };
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
