import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import { invalidField } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { priceCart, type CartItem } from '../transactions/pricing.ts';

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
    pointsToRedeem: input.pointsToRedeem ?? 0,
    at: input.occurredAt ? new Date(input.occurredAt) : new Date(),
  });
  return {
    subtotal: priced.subtotal,
    discounts: [],
    shipping: priced.shipping,
    pointsValue: priced.pointsValue,
    total: priced.total,
    pointsToEarn: priced.earning.points,
    lines: priced.lines.map((line, i) => ({ sku: line.sku, quantity: line.quantity, amount: line.amount, points: priced.earning.linePoints[i] })),
    breakdown: priced.earning.breakdown,
    applied: [],
    // Vouchers arrive with the promotions engine (issue 5); until then every code is unknown.
    rejected: (input.voucherCodes ?? []).map((code) => ({ code, reason: 'unknown' as const })),
  };
}

