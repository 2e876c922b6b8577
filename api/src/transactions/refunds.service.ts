import type { Db } from '../deps.ts';
import { purchasesChanged } from '../lifecycle/lifecycle.service.ts';
import { refundConversions, undoConversions } from '../offers/offers.service.ts';
import { balancesOf, credit, lockAccount, reverseSale, type LockedAccount } from '../ledger/ledger.service.ts';
import { expiresAt, policyOf, startOfLocalDay } from '../points/policy.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { findStore } from '../stores/stores.repository.ts';
import { assertOfCallersStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { cancelRedemptionsOf } from '../vouchers/voucher-redemptions.service.ts';
import * as repo from './transactions.repository.ts';
import { enqueueWebhookEvent } from '../webhooks/webhook-events.ts';
import { transactionRefundedData } from '../webhooks/webhook-payloads.ts';

// Refund rules (API.md): each line's points were fixed at posting. A refund reverses the refunded
// quantity's share of them (cumulatively floored, so refunding a line in parts reverses exactly
// its points), and returns points spent on the sale in proportion to the refunded value (what was
// paid for the goods, after discounts). A void, or a refund of everything, returns the vouchers.
// Locks: the member's account, then the sale, then the vouchers (by id), as a sale takes them.

// In BigInt: points × amounts can pass 2^53, where a float floor loses a point.
const share = (whole: number, part: number, of: number) => (of === 0 ? 0 : Number((BigInt(whole) * BigInt(part)) / BigInt(of)));

async function lockSale(db: Db, principal: Principal, id: string) {
  const peek = await repo.findTransaction(db, principal.tenantId, id);
  if (!peek) throw notFound('Transaction');
  assertOfCallersStore(principal, peek.store_id, 'sale');
  // Accounts before anything else, the lock order of every writer.
  let account = peek.member_id ? await lockAccount(db, principal.tenantId, peek.member_id) : null;
  const sale = (await repo.lockTransaction(db, principal.tenantId, id))!;
  // A guest sale claimed after our first look: the claim has committed (we hold the sale now),
  // so the member's account is free of it and can be locked late.
  if (sale.member_id && sale.member_id !== peek.member_id) account = await lockAccount(db, principal.tenantId, sale.member_id);
  if (sale.status === 'voided') throw new DomainError('conflict', 'This sale was voided');
  return { sale, account };
}

export async function refundSale(db: Db, principal: Principal, id: string, requested: { lineId: string; quantity: number }[] | undefined) {
  return inTransaction(db, async (trx) => {
    const { sale, account } = await lockSale(trx, principal, id);
    const lines = await repo.linesOf(trx, principal.tenantId, [id]);
    const wanted = requested ?? lines.map((line) => ({ lineId: line.id, quantity: line.quantity - line.refunded_quantity })).filter((l) => l.quantity > 0);
    if (!wanted.length) throw new DomainError('conflict', 'Everything on this sale was refunded already');

    let amount = 0;
    let points = 0;
    const refundLines = [];
    for (const [i, want] of wanted.entries()) {
      const line = lines.find((l) => l.id === want.lineId);
      if (!line) throw invalidField(`body.lines.${i}.lineId`, 'Not a line of this sale');
      if (want.quantity > line.quantity - line.refunded_quantity) {
        throw new DomainError('conflict', `Only ${line.quantity - line.refunded_quantity} of ${line.sku} can still be refunded`, {}, [
          { path: `body.lines.${i}.quantity`, message: 'More than is left to refund' },
        ]);
      }
      if (!(await repo.addRefundedQuantity(trx, principal.tenantId, line.id, want.quantity))) {
        throw new DomainError('conflict', `${line.sku} was refunded in the meantime`);
      }
      const linePoints = share(line.points, line.refunded_quantity + want.quantity, line.quantity) - share(line.points, line.refunded_quantity, line.quantity);
      // What the customer paid for those units: the line's amount less its share of the discounts.
      const paid = line.amount - line.discount;
      const lineAmount = share(paid, line.refunded_quantity + want.quantity, line.quantity) - share(paid, line.refunded_quantity, line.quantity);
      amount += lineAmount;
      points += linePoints;
      refundLines.push({ line_id: line.id, quantity: want.quantity, amount: lineAmount, points: linePoints });
    }
    const returned = share(sale.points_redeemed, sale.refunded_amount + amount, sale.subtotal - sale.discount) - sale.points_returned;
    const effect = await takeBack(trx, principal, sale, account, points, returned);
    // Offers the sale converted: their revenue shrinks with the suggested lines; refunded in full, the conversion and its bonus go.
    if (sale.member_id) {
      const refundedAfter = (line: (typeof lines)[number]) => line.refunded_quantity + wanted.filter((w) => w.lineId === line.id).reduce((sum, w) => sum + w.quantity, 0);
      await refundConversions(trx, principal.tenantId, account, sale.member_id, id, lines.map((line) => ({
        sku: line.sku, category: line.category, quantity: line.quantity, refunded: refundedAfter(line), amount: line.amount, discount: line.discount,
      })), actorOf(principal));
    }
    // A sale refunded in full gives its vouchers back; a partial refund keeps them used.
    const everything = lines.every((line) => line.refunded_quantity + (wanted.find((w) => w.lineId === line.id)?.quantity ?? 0) === line.quantity);
    const vouchersReturned = everything ? await cancelRedemptionsOf(trx, principal.tenantId, id) : 0;
    await repo.recordRefund(trx, principal.tenantId, id, { amount, reversed: effect.reversed + effect.debt, forgiven: effect.forgiven, returned });
    const refundId = newId();
    await repo.insertRefund(trx, {
      tenant_id: principal.tenantId, id: refundId, transaction_id: id, amount, points_reversed: effect.reversed + effect.debt,
      points_returned: returned, debt_added: effect.debt, ...actorOf(principal),
    }, refundLines);
    await enqueueWebhookEvent(trx, principal.tenantId, 'transaction.refunded', transactionRefundedData(sale, { id: refundId, amount, pointsReversed: effect.reversed + effect.debt, pointsReturned: returned }));
    return {
      id: refundId,
      amount,
      pointsReversed: effect.reversed + effect.debt,
      pointsForgiven: effect.forgiven,
      pointsReturned: returned,
      debtAdded: effect.debt,
      vouchersReturned,
      points: account ? balancesOf(account) : null,
    };
  });
}

/** Reverses earned points and gives back spent ones, on the member's locked account. */
async function takeBack(
  trx: Db,
  principal: Principal,
  sale: { id: string; points_forgiven: number; receipt_no: string },
  account: LockedAccount | null,
  points: number,
  returned: number,
) {
  const none = { reversed: 0, forgiven: 0, debt: 0 };
  if (!account) return none;
  const actor = actorOf(principal);
  const posting = { transactionId: sale.id, reference: sale.receipt_no, actor };
  const effect = points > 0 ? await reverseSale(trx, principal.tenantId, account, { id: sale.id, pointsForgiven: sale.points_forgiven }, { ...posting, kind: 'reverse', points }) : none;
  if (returned > 0) {
    const tenant = await getTenant(trx, principal.tenantId);
    await credit(trx, principal.tenantId, account, { ...posting, kind: 'return', points: returned }, { expiresAt: expiresAt(new Date(), policyOf(tenant)) });
  }
  return effect;
}

/** Undoes a sale entirely: the same local day (the store's, else the tenant's), nothing refunded yet. */
export async function voidSale(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const { sale, account } = await lockSale(trx, principal, id);
    const store = sale.store_id ? await findStore(trx, principal.tenantId, sale.store_id) : undefined;
    const timeZone = store?.time_zone ?? (await getTenant(trx, principal.tenantId)).time_zone;
    const lines = await repo.linesOf(trx, principal.tenantId, [id]);
    // Quantities, not amounts: a free line refunded is still a refund.
    if (lines.some((line) => line.refunded_quantity > 0)) throw new DomainError('conflict', 'Part of this sale was refunded; refund the rest instead');
    if (startOfLocalDay(new Date(sale.occurred_at), timeZone).getTime() !== startOfLocalDay(new Date(), timeZone).getTime()) {
      throw new DomainError('conflict', 'Only a sale of today can be voided; refund it instead');
    }
    const effect = await takeBack(trx, principal, sale, account, sale.points_earned, sale.points_redeemed);
    // The offers the sale converted are open again, and the bonus points they gave are taken back.
    if (sale.member_id) await undoConversions(trx, principal.tenantId, account, sale.member_id, id, actorOf(principal));
    await repo.recordRefund(trx, principal.tenantId, id, { amount: 0, reversed: effect.reversed + effect.debt, forgiven: effect.forgiven, returned: sale.points_redeemed });
    await repo.markVoided(trx, principal.tenantId, id);
    if (sale.member_id) await purchasesChanged(trx, principal.tenantId, sale.member_id);
    const vouchersReturned = await cancelRedemptionsOf(trx, principal.tenantId, id);
    return {
      id,
      status: 'voided' as const,
      pointsReversed: effect.reversed + effect.debt,
      pointsReturned: sale.points_redeemed,
      vouchersReturned,
      points: account ? balancesOf(account) : null,
    };
  });
}
