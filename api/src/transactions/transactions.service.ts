import { pageOf } from '../shared/page.ts';
import type { AppDeps, Db } from '../deps.ts';
import { balancesOf, credit, debit, lockAccount } from '../ledger/ledger.service.ts';
import { availableAt, expiresAt, policyOf } from '../points/policy.ts';
import { afterPurchase } from '../lifecycle/lifecycle.service.ts';
import { convertOffers } from '../offers/offers.service.ts';
import { upgradeIfQualified } from '../tiers/tiers.service.ts';
import { priceCart } from './pricing.ts';
import { toEvaluation } from '../checkout/checkout.service.ts';
import type { RejectionReason } from '../promotions/promotion-engine.ts';
import { redeemVoucher } from '../vouchers/voucher-redemptions.service.ts';
import { assertMemberPresent } from '../scan/presence.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { assertOfCallersStore, effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { saleMember } from './sale-checks.ts';
import { toTransactionView } from './transactions.mapper.ts';
import * as repo from './transactions.repository.ts';
import { enqueueWebhookEvent } from '../webhooks/webhook-events.ts';
import { transactionPostedData } from '../webhooks/webhook-payloads.ts';

export interface SaleInput {
  memberId?: string;
  scanToken?: string;
  storeId?: string;
  receiptNo: string;
  occurredAt?: string;
  channel: 'store' | 'online';
  items: { sku: string; name?: string; category?: string; quantity: number; unitPrice: number }[];
  shipping?: { fee: number; region?: string };
  voucherCodes?: string[];
  pointsToRedeem?: number;
  expectedTotal?: number;
}

const MAX_BACKDATE_MS = 30 * 86400e3;
const CLOCK_SKEW_MS = 5 * 60e3;

/** Imports (the demo's year of history) may post older sales than a till may. */
export interface SaleOptions {
  importing?: boolean;
}

function occurredAtOf(input: SaleInput, now: number, options: SaleOptions): Date {
  if (!input.occurredAt) return new Date(now);
  const at = new Date(input.occurredAt);
  if (at.getTime() > now + CLOCK_SKEW_MS) throw invalidField('body.occurredAt', 'Must not be in the future');
  if (!options.importing && at.getTime() < now - MAX_BACKDATE_MS) throw invalidField('body.occurredAt', 'Must be within the last 30 days');
  return at;
}

export async function postSale(db: Db, principal: Principal, config: AppDeps['config'], input: SaleInput, options: SaleOptions = {}) {
  const now = Date.now();
  const occurredAt = occurredAtOf(input, now, options);
  const pointsToRedeem = input.pointsToRedeem ?? 0;
  const storeId = effectiveStoreId(principal, input.storeId);

  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const tenant = await getTenant(trx, tenantId);
    const store = storeId ? await requireStore(trx, tenantId, storeId, 'body.storeId') : null;
    // A sale sent again (say under a new key after a timeout) is answered with the one posted, before
    // anything that may have changed since (a voucher it used up) refuses it for another reason.
    const posted = await repo.findByReceipt(trx, tenantId, storeId, input.receiptNo);
    if (posted) throw duplicateReceipt(input.receiptNo, posted.id);
    const memberId = input.memberId ?? null;
    const member = memberId ? await saleMember(trx, tenantId, memberId) : null;
    if (memberId && pointsToRedeem > 0) {
      await assertMemberPresent(trx, principal, config.secretKey, { memberId, storeId, scanToken: input.scanToken, action: 'points.redeem' });
    }
    // The member's account is locked before pricing: first-purchase bonuses and daily caps read
    // the member's history, which a concurrent sale of the same member would otherwise change.
    const account = memberId ? await lockAccount(trx, tenantId, memberId) : null;
    const priced = await priceCart(trx, tenant, store, {
      memberId, storeId, channel: input.channel, items: input.items, shipping: input.shipping, voucherCodes: input.voucherCodes, pointsToRedeem, at: occurredAt,
      now: options.importing ? undefined : new Date(now),
    });
    // A refused code refuses the sale, unless the till sends the total it showed (expectedTotal) and
    // that still holds: the evaluation refused the code as well, so the sale posts without it.
    const { rejected } = priced.promotions;
    if (rejected.length && input.expectedTotal === undefined) throw vouchersRejected(rejected);
    if (input.expectedTotal !== undefined && input.expectedTotal !== priced.total) {
      throw new DomainError('checkout_changed', `The total is ${priced.total}, not the expected ${input.expectedTotal}`, {
        total: priced.total, rejected: rejected.map(({ code, reason }) => ({ code, reason })),
      });
    }

    const id = newId();
    const actor = actorOf(principal);
    const inserted = await repo.insertUnlessDuplicate(trx, {
      tenant_id: tenantId, id, member_id: memberId, store_id: storeId, receipt_no: input.receiptNo, channel: input.channel,
      occurred_at: occurredAt, subtotal: priced.subtotal, discount: priced.discount, points_value: priced.pointsValue, total: priced.total,
      shipping_fee: priced.shipping.fee, shipping_discount: priced.shipping.discount,
      points_earned: priced.earning.points, points_redeemed: pointsToRedeem, ...actor,
    });
    if (!inserted) {
      // Posted by a concurrent request since the check above.
      const existing = await repo.findByReceipt(trx, tenantId, storeId, input.receiptNo);
      throw duplicateReceipt(input.receiptNo, existing?.id);
    }
    const lines = await repo.insertLines(trx, priced.lines.map((line, i) => ({
      tenant_id: tenantId, id: newId(), transaction_id: id, line_no: line.lineNo, sku: line.sku, name: line.name ?? null,
      category: line.category ?? null, quantity: line.quantity, unit_price: line.unitPrice, amount: line.amount, discount: line.discount,
      points: priced.earning.linePoints[i],
    })));
    let points = null;
    let tier = member?.tier ?? null;
    if (memberId && account) {
      const posting = { transactionId: id, reference: input.receiptNo, actor, at: options.importing ? occurredAt : undefined };
      if (pointsToRedeem > 0) await debit(trx, tenantId, account, { ...posting, kind: 'redeem', points: pointsToRedeem });
      if (priced.earning.points > 0) {
        const policy = policyOf(tenant);
        await credit(trx, tenantId, account, { ...posting, kind: 'earn', points: priced.earning.points }, {
          expiresAt: expiresAt(occurredAt, policy), availableAt: availableAt(occurredAt, policy),
        });
      }
      await convertOffers(trx, tenant, account, memberId, {
        id, receiptNo: input.receiptNo, at: occurredAt, lines: priced.lines.map((l) => ({ ...l, category: l.category ?? null })),
      });
      points = balancesOf(account);
      await afterPurchase(trx, tenantId, memberId, occurredAt);
      const upgraded = await upgradeIfQualified(trx, tenant, memberId, occurredAt);
      if (upgraded) tier = { code: upgraded.code, name: upgraded.name };
    }
    const view = toTransactionView(inserted, lines);
    await enqueueWebhookEvent(trx, tenantId, 'transaction.posted', transactionPostedData(view));
    // Vouchers are used in id order; one used up since the evaluation refuses the sale (409), at the
    // latest when the commit counts the uses, and nothing is posted.
    const used = priced.promotions.applied.filter((item) => item.source === 'voucher').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const voucher of used) {
      await redeemVoucher(trx, principal, {
        voucherId: voucher.id, memberId, transactionId: id, amount: voucher.amount, at: occurredAt, channel: input.channel, storeId,
        presence: { secretKey: config.secretKey, scanToken: input.scanToken },
      });
    }
    const evaluation = toEvaluation(priced);
    return { ...view, breakdown: priced.earning.breakdown, points, tier, applied: evaluation.applied, rejected: evaluation.rejected };
  });
}

/** API.md: a receipt number posted already is 409 with the existing sale's `transactionId`. */
function duplicateReceipt(receiptNo: string, transactionId: string | undefined) {
  return new DomainError('duplicate_receipt', `Receipt ${receiptNo} was already posted`, { transactionId }, [
    { path: 'body.receiptNo', message: 'Already posted' },
  ]);
}

/** A sale (without expectedTotal) with a code the checkout refused is not posted: the cashier sees which code and why. */
function vouchersRejected(rejected: { code: string; reason: RejectionReason; index: number }[]) {
  const list = rejected.map((r) => `${r.code} (${r.reason})`).join(', ');
  return new DomainError(
    'voucher_rejected',
    `Voucher refused: ${list}`,
    { rejected: rejected.map(({ code, reason }) => ({ code, reason })) },
    rejected.map(({ index, reason }) => ({ path: `body.voucherCodes.${index}`, message: reason })),
  );
}

/** A caller bound to a store (a till's key, a store's staff) sees that store's sales: another store's is 403, as for posting. */
export async function findTransactions(db: Db, principal: Principal, filter: { storeId?: string; receiptNo?: string; memberId?: string }, cursor?: string, limit = 25) {
  const storeId = effectiveStoreId(principal, filter.storeId) ?? undefined;
  const { page, nextCursor } = pageOf(await repo.listTransactions(db, principal.tenantId, { ...filter, storeId }, limit, cursor), limit);
  const lines = await repo.linesOf(db, principal.tenantId, page.map((row) => row.id));
  return {
    items: page.map((row) => toTransactionView(row, lines.filter((line) => line.transaction_id === row.id))),
    nextCursor,
  };
}

export async function getTransaction(db: Db, principal: Principal, id: string) {
  const row = await repo.findTransaction(db, principal.tenantId, id);
  if (!row) throw notFound('Transaction');
  assertOfCallersStore(principal, row.store_id, 'sale');
  return toTransactionView(row, await repo.linesOf(db, principal.tenantId, [id]));
}
