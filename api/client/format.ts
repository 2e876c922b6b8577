// Display helpers shared by the portal and the member app. Amounts are integers in minor
// units; IDR has two decimals that are never shown (Rp 150.000).
const currencyExponent: Record<string, number> = { IDR: 2, USD: 2, SGD: 2, MYR: 2, JPY: 0 };

export function formatMoney(minor: number, currency = 'IDR', locale = 'id'): string {
  const exponent = currencyExponent[currency] ?? 2;
  if (currency === 'IDR') {
    const rupiah = Math.trunc(minor / 10 ** exponent);
    return `Rp ${new Intl.NumberFormat('id-ID').format(rupiah)}`;
  }
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US', { style: 'currency', currency }).format(
    minor / 10 ** exponent,
  );
}

/** Parses what a cashier types ("150.000", "150000", "Rp 150.000") into minor units, or null. */
export function parseRupiah(text: string, exponent = 2): number | null {
  const digits = text.replace(/^\s*rp\.?\s*/i, '').replace(/[.\s]/g, '');
  if (!/^\d{1,13}$/.test(digits)) return null;
  return Number(digits) * 10 ** exponent;
}

export function formatPoints(points: number, locale = 'id'): string {
  return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-US').format(points);
}

export function formatDateTime(iso: string | Date, timeZone = 'Asia/Jakarta', locale = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}
