import type { Db } from '../deps.ts';
import { balancesOf, credit, lockAccount } from '../ledger/ledger.service.ts';
import { getMember } from '../members/members.service.ts';
import { availableAt, expiresAt, policyOf } from '../points/policy.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { effectiveStoreId, requireKnownStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { afterPurchase } from '../lifecycle/lifecycle.service.ts';
import { upgradeIfQualified } from '../tiers/tiers.service.ts';
import { earningOf, memberContext, promotionPointRulesFor } from './pricing.ts';
import * as repo from './transactions.repository.ts';

const CLAIM_WINDOW_MS = 30 * 86400e3;

/**
 * "I forgot my card": a guest sale of the last 30 days becomes the member's, and earns the points
 * it would have earned then (the rules, bonus-points promotions, tier and time of the sale). Once only.
 */
export async function claimSale(db: Db, principal: Principal, memberId: string, input: { storeId?: string; receiptNo: string }) {
  const storeId = effectiveStoreId(principal, input.storeId);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const member = await getMember(trx, tenantId, memberId);
    if (member.status !== 'active') throw new DomainError('conflict', 'This member is blocked');
    const store = storeId ? await requireKnownStore(trx, tenantId, storeId, 'body.storeId') : null;
    const account = await lockAccount(trx, tenantId, memberId);
    const found = await repo.findByReceipt(trx, tenantId, storeId, input.receiptNo);
    const sale = found && (await repo.lockTransaction(trx, tenantId, found.id));
    if (!sale || sale.status !== 'posted') throw notFound('Sale');
    if (sale.member_id) throw new DomainError('conflict', sale.member_id === memberId ? 'This member claimed the sale already' : 'This sale belongs to a member already');
    const occurredAt = new Date(sale.occurred_at);
    if (occurredAt.getTime() < Date.now() - CLAIM_WINDOW_MS) throw new DomainError('conflict', 'Only sales of the last 30 days can be claimed');
    if (sale.refunded_amount > 0) throw new DomainError('conflict', 'Part of this sale was refunded; it cannot be claimed');

    const tenant = await getTenant(trx, tenantId);
    const lines = await repo.linesOf(trx, tenantId, [sale.id]);
    // The guest paid what the sale's discounts left; the member earns on that, by the rules and
    // promotions of the sale's time.
    const timeZone = store?.time_zone ?? tenant.time_zone;
    const earner = await memberContext(trx, tenantId, memberId, occurredAt, timeZone);
    const context = { at: occurredAt, timeZone, storeId, channel: sale.channel };
    const promotionRules = await promotionPointRulesFor(trx, tenantId, {
      ...context,
      shippingFee: sale.shipping_fee,
      lines: lines.map((l) => ({ sku: l.sku, category: l.category, quantity: l.quantity, unitPrice: l.unit_price, amount: l.amount })),
    }, earner);
    const earning = earningOf(earner, context, lines, 0, promotionRules);
    if (!(await repo.claimForMember(trx, tenantId, sale.id, memberId, earning.points))) {
      throw new DomainError('conflict', 'This sale was claimed in the meantime');
    }
    for (const [i, line] of lines.entries()) await repo.setLinePoints(trx, tenantId, line.id, earning.linePoints[i]);
    if (earning.points > 0) {
      const policy = policyOf(tenant);
      await credit(trx, tenantId, account, { kind: 'earn', points: earning.points, transactionId: sale.id, reference: sale.receipt_no, note: 'claimed', actor: actorOf(principal) }, {
        expiresAt: expiresAt(occurredAt, policy), availableAt: availableAt(occurredAt, policy),
      });
    }
    await upgradeIfQualified(trx, tenant, memberId, occurredAt);
    await afterPurchase(trx, tenantId, memberId, occurredAt);
    return {
      transactionId: sale.id,
      pointsEarned: earning.points,
      breakdown: earning.breakdown,
      points: balancesOf(account),
    };
  });
}
