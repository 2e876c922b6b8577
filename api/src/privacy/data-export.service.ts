import type { Db } from '../deps.ts';
import { memberSegments } from '../member360/member360.service.ts';
import { notFound } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { toDataExport } from './data-export.mapper.ts';
import * as repo from './data-export.repository.ts';

/** Everything the retailer holds about the member (UU PDP right of access), read in one transaction. */
export async function exportMemberData(db: Db, principal: Principal, memberId: string, now = new Date()) {
  const tenantId = principal.tenantId;
  return inTransaction(db, async (trx) => {
    const profile = await repo.profileOf(trx, tenantId, memberId);
    if (!profile) throw notFound('Member');
    const contacts = [profile.phone, profile.email].filter((c): c is string => Boolean(c));
    const transactions = await repo.transactionsOf(trx, tenantId, memberId);
    const feedback = await repo.feedbackOf(trx, tenantId, memberId);
    return toDataExport({
      retailer: await repo.retailerOf(trx, tenantId),
      profile,
      segments: (await memberSegments(trx, principal, memberId, now)).items,
      stages: await repo.stageHistoryOf(trx, tenantId, memberId),
      rfm: await repo.rfmOf(trx, tenantId, memberId),
      cards: await repo.cardsOf(trx, tenantId, memberId),
      entries: await repo.entriesOf(trx, tenantId, profile.account_id),
      lots: await repo.lotsOf(trx, tenantId, profile.account_id),
      transactions,
      lines: await repo.linesOf(trx, tenantId, transactions.map((t) => t.id)),
      vouchers: await repo.vouchersOf(trx, tenantId, memberId),
      voucherUses: await repo.voucherUsesOf(trx, tenantId, memberId),
      rewardRedemptions: await repo.rewardRedemptionsOf(trx, tenantId, memberId),
      referrals: await repo.referralsOf(trx, tenantId, memberId),
      feedback,
      feedbackMessages: await repo.feedbackMessagesOf(trx, tenantId, feedback.map((f) => f.id)),
      messages: await repo.messagesOf(trx, tenantId, memberId, contacts),
      offersShown: await repo.offersShownOf(trx, tenantId, memberId),
    }, now);
  });
}
