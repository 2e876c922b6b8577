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
  if (storeId) await requireStore(db, principal.tenantId, storeId, 'body.storeId');
  const memberId = await resolveScannedCode(db, config.secretKey, principal.tenantId, input.code);
  const member = memberId ? await getMember(db, principal.tenantId, memberId) : null;
  if (!member || member.status !== 'active') throw notFound('Card');
  const presence = scannedKind(input.code) === 'typed' ? 'typed' : 'scanned';
  const now = new Date();
  // What the cashier can suggest (recorded as shown at the till), then the member's usable vouchers:
  // after the showing commits, so that a voucher it issued is among them (read in parallel, on
  // another connection, it was missed).
  // Most scans have nothing to suggest: that is decided by reads alone, with no transaction and no
  // row lock to hold up the member's sale. Only then is the choice made again under the lock.
  const candidates = await offersFor(db, principal.tenantId, member.id, [], now);
  const offers = candidates.length === 0 ? [] : await inTransaction(db, async (trx) => {
    // The member's account lock (taken first, as every writer does) serialises showings: two scans at once keep the cap.
    await lockForShowing(trx, principal.tenantId, member.id);
    const chosen = await offersFor(trx, principal.tenantId, member.id, [], now);
    return chosen.length ? showOffers(trx, await getTenant(trx, principal.tenantId), member.id, chosen, { channel: 'till', storeId }, now) : [];
  });
  const vouchers = await usableVouchersOf(db, principal.tenantId, member.id, now, TILL_VOUCHERS);
  return {
    member: { id: member.id, name: member.name, tier: member.tier },
    points: { balance: member.points.balance, pending: member.points.pending },
    vouchers: vouchers.map(toMemberVoucherView),
    offers,
    scanToken: createScanToken(config.secretKey, principal.tenantId, member.id, storeId, presence),
    canSpend: presence === 'scanned',
  };
}
