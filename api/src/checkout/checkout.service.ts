import type { Db } from '../deps.ts';
import { describeOffers, offersFor } from '../offers/offers.service.ts';
import type { Principal } from '../shared/principal.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { priceCart, type Cart, type CartItem, type PricedCart } from '../transactions/pricing.ts';
import { assertSpendable, saleMember } from '../transactions/sale-checks.ts';

export interface EvaluateInput {
  memberId?: string;
  storeId?: string;
  channel: 'store' | 'online';
  items: CartItem[];
  shipping?: { fee: number; region?: string };
  voucherCodes?: string[];
  pointsToRedeem?: number;
  occurredAt?: string;
  /** The promotion builder's preview: a draft promotion priced with the live ones (pricing.ts). */
  draft?: Cart['draft'];
}

/**
 * The same pricing a sale gets, without posting anything: for the till, a web shop's cart, a rule
 * preview. It refuses what posting the cart would refuse (the member, the points to spend).
 */
export async function evaluateCheckout(db: Db, principal: Principal, input: EvaluateInput) {
  const tenant = await getTenant(db, principal.tenantId);
  const storeId = effectiveStoreId(principal, input.storeId);
  const store = storeId ? await requireStore(db, principal.tenantId, storeId, 'body.storeId') : null;
  if (input.memberId) await saleMember(db, principal.tenantId, input.memberId);
  const pointsToRedeem = input.pointsToRedeem ?? 0;
  const priced = await priceCart(db, tenant, store, {
    memberId: input.memberId ?? null,
    storeId,
    channel: input.channel,
    items: input.items,
    shipping: input.shipping,
    voucherCodes: input.voucherCodes,
    pointsToRedeem,
    at: input.occurredAt ? new Date(input.occurredAt) : new Date(),
    draft: input.draft,
  });
  // After pricing, as a sale's debit comes after it: a guest's points are refused by pricing first.
  if (input.memberId && pointsToRedeem > 0) await assertSpendable(db, principal.tenantId, input.memberId, pointsToRedeem);
  return toEvaluation(priced);
}

/** The offers a cart triggers for a member, described without being recorded as shown. */
export async function offersAtCheckout(db: Db, tenantId: string, memberId: string, items: CartItem[]) {
  const cart = items.map((item) => ({ sku: item.sku, category: item.category ?? null }));
  return describeOffers(db, tenantId, memberId, await offersFor(db, tenantId, memberId, cart));
}

/** How many typed codes matched no voucher, for the guessing limits. */
export const unknownCodes = (evaluation: { rejected: { reason: string }[] }) => evaluation.rejected.filter((r) => r.reason === 'unknown').length;

export function toEvaluation(priced: PricedCart) {
  const { promotions } = priced;
  // A promotion's (or tier's) name, so that a till can say where a discount came from without reading promotions.
  const names = new Map(priced.promotionsConsidered.map((p) => [p.id, p.name]));
  const named = <T extends { source: string; id: string }>(item: T) =>
    item.source === 'promotion' && names.has(item.id) ? { ...item, name: names.get(item.id)! } : item;
  return {
    subtotal: priced.subtotal,
    discounts: promotions.discounts.map(named),
    discount: priced.discount,
    shipping: priced.shipping,
    pointsValue: priced.pointsValue,
    total: priced.total,
    pointsToEarn: priced.earning.points,
    lines: priced.lines.map((line, i) => ({ sku: line.sku, quantity: line.quantity, amount: line.amount, discount: line.discount, points: priced.earning.linePoints[i] })),
    breakdown: priced.earning.breakdown,
    applied: promotions.applied.map((item) => ({ ...named(item), source: item.id.startsWith('tier:') ? ('tier' as const) : item.source })),
    rejected: promotions.rejected.map(({ code, reason }) => ({ code, reason })),
  };
}
