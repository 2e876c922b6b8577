import type { AppDeps, Db } from '../deps.ts';
import { resolveScannedCode, scannedKind } from '../cards/cards.service.ts';
import { getMember } from '../members/members.service.ts';
import { notFound } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { lockForShowing, offersFor, showOffers } from '../offers/offers.service.ts';
import { usableVouchersOf } from '../rewards/rewards.repository.ts';
import { toMemberVoucherView } from '../rewards/rewards.mapper.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { createScanToken } from './scan-token.ts';

const TILL_VOUCHERS = 20;

/**
 * What the till shows after a scan. Unknown, forged, blocked and replaced codes all answer 404.
 * A typed card number identifies the member (earn, look up) but its token cannot spend.
 */
export async function scan(db: Db, principal: Principal, config: AppDeps['config'], input: { code: string; storeId?: string }) {
  const storeId = effectiveStoreId(principal, input.storeId);
  // Independent reads go out together, each on its own pooled connection: a scan is three round
  // trips long (the key, then store and card, then member, offers and vouchers), not six.
  const [, memberId] = await Promise.all([
    storeId ? requireStore(db, principal.tenantId, storeId, 'body.storeId') : null,
    resolveScannedCode(db, config.secretKey, principal.tenantId, input.code),
  ]);
  if (!memberId) throw notFound('Card');
  const now = new Date();
  // Most scans have nothing to suggest: that is decided by reads alone, with no transaction and no
  // row lock to hold up the member's sale. Only then is the choice made again under the lock.
  const [member, candidates, vouchersBefore] = await Promise.all([
    getMember(db, principal.tenantId, memberId),
    offersFor(db, principal.tenantId, memberId, [], now),
    usableVouchersOf(db, principal.tenantId, memberId, now, TILL_VOUCHERS),
  ]);
  if (member.status !== 'active') throw notFound('Card');
  const presence = scannedKind(input.code) === 'typed' ? 'typed' : 'scanned';
  // What the cashier can suggest (recorded as shown at the till).
  const offers = candidates.length === 0 ? [] : await inTransaction(db, async (trx) => {
    // The member's account lock (taken first, as every writer does) serialises showings: two scans at once keep the cap.
    await lockForShowing(trx, principal.tenantId, member.id);
    const chosen = await offersFor(trx, principal.tenantId, member.id, [], now);
    return chosen.length ? showOffers(trx, await getTenant(trx, principal.tenantId), member.id, chosen, { channel: 'till', storeId }, now) : [];
  });
  // Offers shown may have issued a voucher: then the member's vouchers are read again, after that commits.
  const vouchers = offers.length ? await usableVouchersOf(db, principal.tenantId, member.id, now, TILL_VOUCHERS) : vouchersBefore;
  return {
    member: { id: member.id, name: member.name, tier: member.tier },
    points: { balance: member.points.balance, pending: member.points.pending },
    vouchers: vouchers.map(toMemberVoucherView),
    offers,
    scanToken: createScanToken(config.secretKey, principal.tenantId, member.id, storeId, presence),
    canSpend: presence === 'scanned',
  };
}
