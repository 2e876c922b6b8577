// What a voucher gives, in words, for the voucher batches, the rewards that issue vouchers and the
// code look-up. The terms mean what api/src/vouchers/vouchers.mapper.ts documents.
import { formatMoney, parseRupiah, type components } from '@kartu/api/client';
import { wholeNumber, type FieldErrors } from '$lib/forms';
import { t } from '$lib/i18n.svelte';
import { rupiahText } from '$lib/rules';

export type VoucherKind = components['schemas']['VoucherBatch']['kind'];
export const voucherKinds: readonly VoucherKind[] = ['amount', 'percent', 'free_shipping', 'free_item'];

/** The code alphabet of generated codes (no I, L, O or U), as the API generates them. */
export const VOUCHER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface VoucherTerms {
  kind: VoucherKind;
  value?: number | null;
  maxDiscount?: number | null;
  sku?: string | null;
  minSpend?: number | null;
}

/** "10% off, up to Rp 50.000, min. spend Rp 100.000". */
export function describeVoucher(terms: VoucherTerms, currency: string, locale: string): string {
  const money = (minor: number) => formatMoney(minor, currency, locale);
  const cap = terms.maxDiscount ? t('voucherTerms.cap', { amount: money(terms.maxDiscount) }) : '';
  let gives: string;
  switch (terms.kind) {
    case 'amount':
      gives = t('voucherTerms.amount', { amount: money(terms.value ?? 0) });
      break;
    case 'percent':
      gives = t('voucherTerms.percent', { percent: terms.value ?? 0 }) + cap;
      break;
    case 'free_shipping':
      gives = t('voucherTerms.freeShipping') + cap;
      break;
    case 'free_item':
      gives = t('voucherTerms.freeItem', { sku: terms.sku ?? '' });
      break;
  }
  return terms.minSpend ? gives + t('voucherTerms.minSpend', { amount: money(terms.minSpend) }) : gives;
}

/** A voucher's terms as typed in a form; the kind decides which of the amounts count. */
export interface TermsDraft {
  kind: VoucherKind;
  amount: string;
  percent: string;
  maxDiscount: string;
  sku: string;
  minSpend: string;
}

export function emptyTerms(): TermsDraft {
  return { kind: 'amount', amount: '', percent: '', maxDiscount: '', sku: '', minSpend: '' };
}

/** A stored voucher's terms as the fields show them. */
export function termsDraftOf(terms: VoucherTerms | null | undefined): TermsDraft {
  if (!terms) return emptyTerms();
  return {
    kind: terms.kind,
    amount: terms.kind === 'amount' ? rupiahText(terms.value ?? undefined) : '',
    percent: terms.kind === 'percent' && terms.value ? String(terms.value) : '',
    maxDiscount: rupiahText(terms.maxDiscount ?? undefined),
    sku: terms.sku ?? '',
    minSpend: terms.minSpend ? rupiahText(terms.minSpend) : '',
  };
}

function rupiahIn(errors: FieldErrors, text: string, path: string, { required, zero }: { required: boolean; zero: boolean }) {
  if (!text.trim()) {
    if (required) errors[path] = t('promotions.positiveRupiah');
    return undefined;
  }
  const value = parseRupiah(text);
  if (value === null || value < (zero ? 0 : 1)) errors[path] = t(zero ? 'form.rupiah' : 'promotions.positiveRupiah');
  return value ?? undefined;
}

/**
 * The terms with only the fields the kind takes, as the API wants them (it refuses the others):
 * amount needs a value, percent 1–100 and an optional cap, free shipping an optional cap, a free
 * item its SKU. Problems go to `errors` at `prefix` + the API's field name ("voucher.value").
 */
export function readTerms(draft: TermsDraft, errors: FieldErrors, prefix = '') {
  const terms: { kind: VoucherKind; value?: number; maxDiscount?: number; sku?: string; minSpend?: number } = { kind: draft.kind };
  const cap = () => rupiahIn(errors, draft.maxDiscount, `${prefix}maxDiscount`, { required: false, zero: false });
  switch (draft.kind) {
    case 'amount':
      terms.value = rupiahIn(errors, draft.amount, `${prefix}value`, { required: true, zero: false });
      break;
    case 'percent': {
      const percent = wholeNumber(draft.percent);
      if (percent === null || percent < 1 || percent > 100) errors[`${prefix}value`] = t('promotions.percentInvalid');
      terms.value = percent ?? undefined;
      terms.maxDiscount = cap();
      break;
    }
    case 'free_shipping':
      terms.maxDiscount = cap();
      break;
    case 'free_item': {
      const sku = draft.sku.trim();
      if (!sku) errors[`${prefix}sku`] = t('form.required');
      else if (sku.length > 64) errors[`${prefix}sku`] = t('rewards.tooLong', { max: 64 });
      terms.sku = sku;
      break;
    }
  }
  const minSpend = rupiahIn(errors, draft.minSpend, `${prefix}minSpend`, { required: false, zero: true });
  if (minSpend) terms.minSpend = minSpend;
  return Object.fromEntries(Object.entries(terms).filter(([, value]) => value !== undefined)) as typeof terms;
}
