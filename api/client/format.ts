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

/**
 * A stored E.164 phone as Indonesians write it: "+6281234567890" → "0812-3456-7890", and
 * "+62215551234" → "021-5551234". Numbers of other countries stay in E.164, which reads unambiguously.
 */
export function formatPhone(e164: string): string {
  const match = /^\+62(\d{8,12})$/.exec(e164);
  if (!match) return e164;
  const national = `0${match[1]}`;
  if (national.startsWith('08')) {
    const rest = national.slice(4);
    const middle = rest.length <= 6 ? 3 : 4;
    return `${national.slice(0, 4)}-${rest.slice(0, middle)}-${rest.slice(middle)}`;
  }
  // Jakarta and Surabaya have two-digit area codes (021, 031); the rest of the country three.
  const area = /^0(21|31)/.test(national) ? 3 : 4;
  return `${national.slice(0, area)}-${national.slice(area)}`;
}

export function formatDateTime(iso: string | Date, timeZone = 'Asia/Jakarta', locale = 'id'): string {
  return new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}
