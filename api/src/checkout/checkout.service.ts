import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import { invalidField } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { priceCart, type CartItem, type PricedCart } from '../transactions/pricing.ts';

export interface EvaluateInput {
  memberId?: string;
  storeId?: string;
  channel: 'store' | 'online';
  items: CartItem[];
  shipping?: { fee: number; region?: string };
  voucherCodes?: string[];
  pointsToRedeem?: number;
  occurredAt?: string;
}

/** The same pricing a sale gets, without posting anything: for the till, a web shop's cart, a rule preview. */
export async function evaluateCheckout(db: Db, principal: Principal, input: EvaluateInput) {
  const tenant = await getTenant(db, principal.tenantId);
  const storeId = effectiveStoreId(principal, input.storeId);
  const store = storeId ? await requireStore(db, principal.tenantId, storeId, 'body.storeId') : null;
  if (input.memberId && !(await getMember(db, principal.tenantId, input.memberId).catch(() => null))) {
    throw invalidField('body.memberId', 'No such member');
  }
  const priced = await priceCart(db, tenant, store, {
    memberId: input.memberId ?? null,
    storeId,
    channel: input.channel,
    items: input.items,
    shipping: input.shipping,
    voucherCodes: input.voucherCodes,
    pointsToRedeem: input.pointsToRedeem ?? 0,
    at: input.occurredAt ? new Date(input.occurredAt) : new Date(),
  });
  return toEvaluation(priced);
}

/** How many typed codes matched no voucher, for the guessing limits. */
export const unknownCodes = (evaluation: { rejected: { reason: string }[] }) => evaluation.rejected.filter((r) => r.reason === 'unknown').length;

export function toEvaluation(priced: PricedCart) {
  const { promotions } = priced;
  return {
    subtotal: priced.subtotal,
    discounts: promotions.discounts,
    discount: priced.discount,
    shipping: priced.shipping,
    pointsValue: priced.pointsValue,
    total: priced.total,
    pointsToEarn: priced.earning.points,
    lines: priced.lines.map((line, i) => ({ sku: line.sku, quantity: line.quantity, amount: line.amount, discount: line.discount, points: priced.earning.linePoints[i] })),
    breakdown: priced.earning.breakdown,
    applied: promotions.applied.map((item) => ({ ...item, source: item.id.startsWith('tier:') ? ('tier' as const) : item.source })),
    rejected: promotions.rejected.map(({ code, reason }) => ({ code, reason })),
  };
}
