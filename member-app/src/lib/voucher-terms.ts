import { formatMoney } from '@kartu/api/client';
import { i18n, t } from './i18n.svelte';

// What rewards and vouchers give, in the plain words a member reads: "Voucher Rp 20.000, min. belanja
// Rp 100.000, berlaku 30 hari", "Free item: KOPI-250", "Physical gift: Tumbler — collect at the store".

export interface VoucherGift {
  kind: 'amount' | 'percent' | 'free_shipping' | 'free_item';
  value?: number | null;
  maxDiscount?: number | null;
  sku?: string | null;
}

export interface RewardTerms {
  name: string;
  fulfilment: 'voucher' | 'physical';
  voucher: (VoucherGift & { minSpend?: number; validDays: number }) | null;
}

/** An amount whose "Rp" and number stay on one line. */
export const money = (minor: number, currency: string) => formatMoney(minor, currency, i18n.locale).replace(/ /g, '\u00a0');

export function giftText(gift: VoucherGift, currency: string): string {
  const value = gift.value ?? 0;
  switch (gift.kind) {
    case 'amount':
      return t('gift.amount', { amount: money(value, currency) });
    case 'percent':
      return gift.maxDiscount ? t('gift.percentUpTo', { value, amount: money(gift.maxDiscount, currency) }) : t('gift.percent', { value });
    case 'free_shipping':
      return gift.maxDiscount ? t('gift.freeShippingUpTo', { amount: money(gift.maxDiscount, currency) }) : t('gift.freeShipping');
    case 'free_item':
      return t('gift.freeItem', { sku: gift.sku ?? '' });
  }
}

export function rewardTermsText(reward: RewardTerms, currency: string): string {
  const voucher = reward.voucher;
  if (reward.fulfilment === 'physical' || !voucher) return t('gift.physical', { name: reward.name });
  const parts = [giftText(voucher, currency)];
  if (voucher.minSpend) parts.push(t('terms.minSpend', { amount: money(voucher.minSpend, currency) }));
  parts.push(voucher.validDays === 1 ? t('terms.validOneDay') : t('terms.validDays', { days: voucher.validDays }));
  return parts.join(', ');
}

/** The code in groups of four for reading aloud at the till: ABCD-EFGH-JK. The till accepts it with or without hyphens. */
export const groupedCode = (code: string) => code.replace(/(.{4})(?=.)/g, '$1-');
