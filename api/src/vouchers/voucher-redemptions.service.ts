import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { lockAccount } from '../ledger/ledger.service.ts';
import { startOfLocalDay } from '../points/policy.ts';
import type { VoucherInput, VoucherMatch } from '../promotions/promotion-engine.ts';
import { assertMemberPresent } from '../scan/presence.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { actorOf, can, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { findStore } from '../stores/stores.repository.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { isVoucherCode, normaliseVoucherCode } from './voucher-code.ts';
import { UnknownVoucherError, voucherExpired, voucherNotEligible, voucherNotStarted, voucherUsedUp, type NotEligibleReason } from './voucher-errors.ts';
import { toLookupView, toRedemptionView, type VoucherStatus } from './vouchers.mapper.ts';
import * as repo from './vouchers.repository.ts';
import { enqueueWebhookEvent } from '../webhooks/webhook-events.ts';
import { voucherRedeemedData } from '../webhooks/webhook-payloads.ts';

// Using voucher codes. A use is a voucher_redemptions row plus one on the voucher's `uses`. The
// terms are checked first on the voucher as read; the use is then counted at COMMIT by a deferred
// trigger (migration 0030) that locks the voucher's row and checks again, on its latest version,
// that a use is left, it is not voided and its batch is active — so a single-use code is used once
// however many tills try at the same moment, and a public code's row, shared by every till, is
// locked only while a transaction commits. A refused commit answers 409 (api/src/app.ts). Per-member
// limits are counted under the member's account lock, which every use by a member holds. A voided
// voucher (its reward redemption cancelled) is refused everywhere, and no voucher counts before it existed.

type Channel = 'store' | 'online';

function findByTypedCode(db: Db, tenantId: string, typed: string) {
  const code = normaliseVoucherCode(typed);
  return isVoucherCode(code) ? repo.findVoucherByCode(db, tenantId, code) : Promise.resolve(undefined);
}

/** Why this member (null: a guest) may not use the voucher, from its void, binding, batch status and per-member limit. */
function eligibility(voucher: repo.VoucherRow, memberId: string | null, memberUses: number): NotEligibleReason | null {
  if (voucher.voided_at !== null) return 'voided';
  if (voucher.batch_status !== 'active') return 'disabled';
  if (voucher.member_id !== null && voucher.member_id !== memberId) return memberId === null ? 'member_required' : 'other_member';
  // A per-member limit can only be kept for members: a guest could use the code without end.
  if (voucher.per_member_limit !== null && memberId === null) return 'member_required';
  if (voucher.per_member_limit !== null && memberUses >= voucher.per_member_limit) return 'member_limit';
  return null;
}

const usedUp = (voucher: repo.VoucherRow) => voucher.max_uses !== null && voucher.uses >= voucher.max_uses;

/** The batch's start or the voucher's creation, whichever is later: a sale dated before the code existed cannot use it. */
const startOf = (voucher: repo.VoucherRow): Date =>
  voucher.starts_at && voucher.starts_at > voucher.created_at ? voucher.starts_at : voucher.created_at;

/**
 * For the checkout engine (/checkout/evaluate and sales): each typed code, in order, with the
 * voucher it matches (after normalising; null when unknown) and its terms. The time window,
 * channel, stores and minimum spend are the engine's to check against the cart; `state` covers
 * what only the database knows. Reads without locks: a sale then uses each with `redeemVoucher`,
 * which checks again under the lock. Count the unknown ones with `checkVoucherGuessLimits`.
 */
export async function voucherInputsFor(db: Db, tenantId: string, codes: string[], memberId: string | null): Promise<VoucherInput[]> {
  const normalised = codes.map(normaliseVoucherCode);
  const rows = await repo.findVouchersByCodes(db, tenantId, [...new Set(normalised.filter(isVoucherCode))]);
  const byCode = new Map(rows.map((row) => [row.code, row]));
  const limited = rows.filter((row) => row.per_member_limit !== null).map((row) => row.id);
  const uses = memberId ? await repo.memberUses(db, tenantId, limited, memberId) : new Map<string, number>();
  return codes.map((code, i) => {
    const row = byCode.get(normalised[i]);
    if (!row) return { code, match: null };
    const refusal = eligibility(row, memberId, uses.get(row.id) ?? 0);
    // A member past the per-member limit has used the code up, as far as they are concerned.
    const state: VoucherMatch['state'] = refusal === 'member_limit' ? 'used_up' : refusal ? 'not_eligible' : usedUp(row) ? 'used_up' : 'ok';
    const match: VoucherMatch = {
      voucherId: row.id, kind: row.kind, value: row.value, maxDiscount: row.max_discount, sku: row.sku, minSpend: row.min_spend,
      startsAt: startOf(row).toISOString(), expiresAt: row.expires_at?.toISOString() ?? null,
      channels: row.channels, stores: row.stores, priority: row.priority, exclusivityGroup: row.exclusivity_group, state,
    };
    return { code, match };
  });
}

export interface VoucherUse {
  voucherId: string;
  memberId: string | null;
  transactionId: string | null;
  /** The discount the voucher gave, in minor units (0 when the caller does not say). */
  amount: number;
  /** When the use counts (a sale's occurredAt), checked against the validity window, both ends inclusive. */
  at: Date;
  channel: Channel;
  /** Where the use happens: checked against the voucher's stores, and where the scan token must come from. */
  storeId: string | null;
  /** A personal voucher spent by a cashier or POS key needs the member present (API.md): a fresh scan token. */
  presence: { secretKey: Buffer; scanToken?: string };
}

/**
 * Uses a voucher once, inside the caller's transaction: checks every term (window, channel, store,
 * eligibility, uses left — in the order /checkout/evaluate reports them), asks for the member's
 * presence for a personal voucher, then writes the redemption (its use is counted, and checked
 * again, at COMMIT).
 * Refusals are typed: voucher_not_started, voucher_expired, voucher_not_eligible (with `reason`),
 * voucher_used_up (all 409), presence_required (403), an unknown id UnknownVoucherError (404).
 * Minimum spend is not checked here (there is no cart): that is the checkout engine's. A member's
 * use needs the caller to hold the member's account lock (lockAccount). Several vouchers in one
 * transaction: call in ascending voucherId order (the commit counts them in that order).
 */
export async function redeemVoucher(trx: Db, principal: Principal, use: VoucherUse) {
  const tenantId = principal.tenantId;
  const voucher = await repo.findVoucher(trx, tenantId, use.voucherId);
  if (!voucher) throw new UnknownVoucherError();
  const at = use.at.getTime();
  const startsAt = startOf(voucher);
  if (at < startsAt.getTime()) throw voucherNotStarted(startsAt);
  if (voucher.expires_at && at > voucher.expires_at.getTime()) throw voucherExpired(voucher.expires_at);
  if (voucher.channels?.length && !voucher.channels.includes(use.channel)) throw voucherNotEligible('wrong_channel');
  if (voucher.stores?.length && (use.storeId === null || !voucher.stores.includes(use.storeId))) throw voucherNotEligible('wrong_store');
  const counted = voucher.per_member_limit !== null && use.memberId ? await repo.memberUses(trx, tenantId, [voucher.id], use.memberId) : null;
  const refusal = eligibility(voucher, use.memberId, counted?.get(voucher.id) ?? 0);
  if (refusal) throw voucherNotEligible(refusal);
  if (usedUp(voucher)) throw voucherUsedUp();
  if (voucher.member_id !== null) {
    await assertMemberPresent(trx, principal, use.presence.secretKey, {
      memberId: voucher.member_id, storeId: use.storeId, scanToken: use.presence.scanToken, action: 'voucher.redeem',
    });
  }
  const redemption = await repo.insertRedemption(trx, {
    tenant_id: tenantId, id: newId(), voucher_id: voucher.id, member_id: use.memberId, transaction_id: use.transactionId, store_id: use.storeId,
    amount: use.amount, ...actorOf(principal),
  });
  await enqueueWebhookEvent(trx, tenantId, 'voucher.redeemed', voucherRedeemedData(toRedemptionView(redemption)));
  return redemption;
}

/**
 * A voided sale gives its vouchers back: cancels the sale's live redemptions and returns their
 * uses, locking the vouchers in ascending id order first. Returns how many uses came back; a
 * second call finds nothing left to cancel.
 */
export async function cancelRedemptionsOf(trx: Db, tenantId: string, transactionId: string): Promise<number> {
  const live = await repo.liveRedemptionsOfTransaction(trx, tenantId, transactionId);
  await repo.lockVouchers(trx, tenantId, [...new Set(live.map((r) => r.voucher_id))]);
  let returned = 0;
  for (const redemption of live) {
    if (await repo.cancelRedemption(trx, tenantId, redemption.id)) {
      await repo.addUses(trx, tenantId, redemption.voucher_id, -1);
      returned++;
    }
  }
  return returned;
}

export interface CodeRedemptionInput {
  memberId?: string;
  transactionId?: string;
  scanToken?: string;
  storeId?: string;
  channel: Channel;
  amount?: number;
}

/**
 * POST /vouchers/{code}/redemptions: a use outside Kartu's checkout (say a web shop that priced
 * its cart after /checkout/evaluate). The member defaults to the sale's; the validity window is
 * checked at the time of the call. Locks in the order of every writer (DESIGN.md): the member's
 * account, then the sale FOR SHARE (a void waits for the use, or the use sees the void), then the
 * voucher.
 */
export async function redeemCode(db: Db, principal: Principal, secretKey: Buffer, typedCode: string, input: CodeRedemptionInput) {
  const storeId = effectiveStoreId(principal, input.storeId);
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    if (storeId) await requireStore(trx, tenantId, storeId, 'body.storeId');
    const peek = input.transactionId ? await repo.findTransactionRef(trx, tenantId, input.transactionId) : null;
    if (input.transactionId && !peek) throw invalidField('body.transactionId', 'No such sale');
    if (input.memberId) {
      const member = await repo.findMemberRef(trx, tenantId, input.memberId);
      if (!member) throw invalidField('body.memberId', 'No such member');
      if (member.status !== 'active') throw invalidField('body.memberId', 'This member is blocked');
    }
    const lockedMemberId = input.memberId ?? peek?.member_id ?? null;
    if (lockedMemberId) await lockAccount(trx, tenantId, lockedMemberId);
    const sale = peek ? await repo.lockTransactionRefForShare(trx, tenantId, peek.id) : null;
    if (sale && sale.status !== 'posted') throw invalidField('body.transactionId', 'This sale was voided');
    if (sale?.member_id && input.memberId && sale.member_id !== input.memberId) throw invalidField('body.memberId', 'The sale is another member’s');
    const memberId = input.memberId ?? sale?.member_id ?? null;
    // A guest sale claimed since the first look: its member's account would be locked after the sale.
    if (memberId !== lockedMemberId) throw new DomainError('conflict', 'The sale was claimed by a member meanwhile; try again', { retryAfter: 1 });
    const voucher = await findByTypedCode(trx, tenantId, typedCode);
    if (!voucher) throw new UnknownVoucherError();
    const redemption = await redeemVoucher(trx, principal, {
      voucherId: voucher.id, memberId, transactionId: sale?.id ?? null, amount: input.amount ?? 0, at: new Date(),
      channel: input.channel, storeId, presence: { secretKey, scanToken: input.scanToken },
    });
    return toRedemptionView(redemption);
  });
}

/**
 * Gives a use back (the order it was for was cancelled). A use on a sale that still stands is
 * refused: voiding the sale returns it. Repeating the call changes nothing.
 */
export async function cancelRedemption(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const found = await repo.findRedemption(trx, tenantId, id);
    if (!found) throw notFound('Voucher redemption');
    await assertMayCancel(trx, principal, found);
    if (found.status === 'redeemed' && found.transaction_id) {
      const sale = await repo.findTransactionRef(trx, tenantId, found.transaction_id);
      if (sale?.status === 'posted') {
        throw new DomainError('conflict', 'This use belongs to a sale that still stands: void the sale to give it back', { transactionId: found.transaction_id });
      }
    }
    await repo.lockVouchers(trx, tenantId, [found.voucher_id]);
    if (await repo.cancelRedemption(trx, tenantId, id)) {
      await repo.addUses(trx, tenantId, found.voucher_id, -1);
      await recordAudit(trx, principal, { action: 'voucher_redemption.cancelled', targetType: 'voucher_redemption', targetId: id, details: { voucherId: found.voucher_id } });
    }
    return toRedemptionView((await repo.findRedemption(trx, tenantId, id))!);
  });
}

/**
 * Owners, admins and admin keys may give any use back. Cashiers and POS keys only a use of today
 * (the local day of its store, else the tenant's) made at their own store: otherwise a till could
 * use a single-use code without end by redeeming and cancelling.
 */
async function assertMayCancel(db: Db, principal: Principal, use: repo.RedemptionRow) {
  if (can(principal, 'voucher_uses.cancel_any')) return;
  const ownStore = principal.kind === 'member' ? null : principal.storeId;
  if (use.store_id !== ownStore) throw new DomainError('forbidden', 'Only a use made at your store can be cancelled here; ask an owner or admin');
  const timeZone = use.store_id ? (await findStore(db, principal.tenantId, use.store_id))!.time_zone : (await getTenant(db, principal.tenantId)).time_zone;
  if (startOfLocalDay(use.created_at, timeZone).getTime() !== startOfLocalDay(new Date(), timeZone).getTime()) {
    throw new DomainError('forbidden', 'Only a use of today can be cancelled here; ask an owner or admin');
  }
}

export function statusOf(voucher: repo.VoucherRow, now: number): VoucherStatus {
  if (voucher.voided_at !== null) return 'voided';
  if (voucher.batch_status !== 'active') return 'disabled';
  if (usedUp(voucher)) return 'used_up';
  if (voucher.expires_at && now > voucher.expires_at.getTime()) return 'expired';
  if (now < startOf(voucher).getTime()) return 'not_started';
  return 'active';
}

/** The portal's look-up of a typed code: its state, terms, owner and latest uses; null when unknown. */
export async function lookUpVoucher(db: Db, principal: Principal, typedCode: string) {
  const tenantId = principal.tenantId;
  const voucher = await findByTypedCode(db, tenantId, typedCode);
  if (!voucher) return null;
  const owner = voucher.member_id ? await repo.findMemberRef(db, tenantId, voucher.member_id) : undefined;
  const redemptions = await repo.latestRedemptions(db, tenantId, voucher.id, 100);
  return toLookupView(voucher, statusOf(voucher, Date.now()), owner ? { id: owner.id, name: owner.name } : null, redemptions);
}
