// What the till makes of text a scanner or a cashier types: a member's card or a voucher code.
// Card formats are the API's (api/src/cards/card-code.ts, rotating-codes.ts, luhn.ts); voucher codes
// are matched as api/src/vouchers/voucher-code.ts stores them.

/** The API takes at most this many voucher codes per sale or evaluation. */
export const MAX_VOUCHER_CODES = 10;

/** A printed card's QR: `K1.<key id>.<16-digit number>.<MAC>`. */
const PRINTED = /^K1\.[0-9A-Z]{2}\.\d{16}\.[0-9A-Z]{16}$/;
/** The member app's rotating QR: `K2.<16-digit number>.<8 digits>`. */
const ROTATING = /^K2\.\d{16}\.\d{8}$/;

/**
 * What was scanned or typed into the card field: a card (`card`: a printed card's code, the app's
 * code, or a valid card number typed by hand — 16 digits, spaces and hyphens allowed), something
 * meant as a card that cannot be one (`bad_card`: a misread card code, a number of 12 to 19 digits
 * that is not a valid card number — no need to ask /scan, which would only say "Unknown card" and
 * count it against the typed-number limits), or else a voucher code. No voucher code contains a
 * '.', so the two never overlap.
 */
export function scannedKind(text: string): 'card' | 'bad_card' | 'voucher' {
  const upper = text.trim().toUpperCase();
  if (PRINTED.test(upper) || ROTATING.test(upper)) return 'card';
  if (/^K[12]\./.test(upper)) return 'bad_card';
  const digits = upper.replace(/[\s-]/g, '');
  if (isValidCardNumber(digits)) return 'card';
  return /^\d{12,19}$/.test(digits) ? 'bad_card' : 'voucher';
}

/** A voucher code as the API stores and matches it: upper case, without spaces and hyphens. */
export const normaliseVoucherCode = (text: string): string => text.toUpperCase().replace(/[\s-]+/g, '');

/** Whether a normalised code can be a voucher code at all (4–32 letters and digits); others are not looked up. */
export const isVoucherCode = (normalised: string): boolean => /^[0-9A-Z]{4,32}$/.test(normalised);

/** A 16-digit number whose last digit is its Luhn check digit. */
export function isValidCardNumber(digits: string): boolean {
  if (!/^\d{16}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let digit = Number(digits[14 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[15]);
}
