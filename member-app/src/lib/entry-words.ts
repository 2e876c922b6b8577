import type { PointEntry } from './api';
import { t } from './i18n.svelte';

// A points entry in the member's words: what happened ("Belanja di Toko Sudirman", "Tukar hadiah:
// Voucher Belanja") and a detail line (the receipt, the shop's reason for a correction).

type Reason = PointEntry['reason'];

/** Sale-bound reasons read "… at {store}" when the sale had a store. */
function atStore(reason: Reason, plain: Parameters<typeof t>[0], at: Parameters<typeof t>[0]): string {
  return reason.store ? t(at, { store: reason.store }) : t(plain);
}

export function entryTitle(entry: PointEntry): string {
  const reason = entry.reason;
  switch (reason.type) {
    case 'sale':
      if (reason.store) return t('reason.saleAt', { store: reason.store });
      return reason.channel === 'online' ? t('reason.saleOnline') : t('reason.sale');
    case 'claim':
      return t('reason.claim', { receipt: reason.receiptNo ?? '' });
    case 'sale_payment':
      return atStore(reason, 'reason.sale_payment', 'reason.sale_paymentAt');
    case 'refund':
      return atStore(reason, 'reason.refund', 'reason.refundAt');
    case 'void':
      return atStore(reason, 'reason.void', 'reason.voidAt');
    case 'reward':
      return reason.name ? t('reason.reward', { name: reason.name }) : t('reason.rewardUnnamed');
    case 'reward_cancelled':
      return reason.name ? t('reason.reward_cancelled', { name: reason.name }) : t('reason.rewardUnnamed');
    case 'offer':
      return reason.name ? t('reason.offer', { name: reason.name }) : t('reason.offerUnnamed');
    case 'spent':
      return t('reason.spent');
    case 'expiry':
      return t('reason.expiry');
    case 'adjustment':
      return t('reason.adjustment');
    case 'merge':
      return t('reason.merge');
    case 'welcome':
      return t('reason.welcome');
    case 'referral':
      return t('reason.referral');
    case 'offer_reversed':
      return t('reason.offer_reversed');
    case 'automation':
      return t('reason.automation');
    case 'bonus':
      return t('reason.bonus');
    case 'opening':
      return t('reason.opening');
    case 'debt':
      return t('reason.debt');
    case 'repay':
      return t('reason.repay');
  }
}

/** The receipt of a sale, or the shop's words for a correction; null when there is nothing to add. */
export function entryDetail(entry: PointEntry): string | null {
  const reason = entry.reason;
  if (reason.note) return t('reason.because', { note: reason.note });
  if (reason.receiptNo && reason.type !== 'claim') return t('reason.receipt', { receipt: reason.receiptNo });
  return null;
}
