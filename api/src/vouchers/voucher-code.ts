import { randomBytes } from 'node:crypto';

// Voucher codes. Generated codes use Crockford's base32 alphabet without I, L, O and U, so nothing
// printed can be misread (0/O, 1/I/L) and no accidental words appear. Typed codes are matched
// after NFKC (a phone keyboard's full-width ＧＲＡＴＩＳ is GRATIS), upper-casing and dropping spaces
// and hyphens only: O is not read as 0, nor I as 1, because marketers choose public codes such as
// GRATISONGKIR that contain those letters.

export const VOUCHER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** What the database stores and matches: compatibility-normalised, upper case, no spaces or hyphens. */
export function normaliseVoucherCode(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/[\s-]+/g, '');
}

/** The stored form of every code: 4–32 upper-case letters and digits. */
export const isVoucherCode = (normalised: string): boolean => /^[0-9A-Z]{4,32}$/.test(normalised);

export const inVoucherAlphabet = (text: string): boolean => [...text].every((c) => VOUCHER_ALPHABET.includes(c));

/**
 * `count` codes of `prefix` + `length` random symbols, from the operating system's CSPRNG. The
 * alphabet has 32 symbols, so a byte's low 5 bits pick one without bias (256 is a multiple of 32).
 * Codes may repeat (one in 32^length); the caller keeps the unique ones.
 */
export function randomVoucherCodes(count: number, length: number, prefix = ''): string[] {
  const bytes = randomBytes(count * length);
  const codes = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    let code = prefix;
    for (let j = i * length, end = j + length; j < end; j++) code += VOUCHER_ALPHABET[bytes[j] & 31];
    codes[i] = code;
  }
  return codes;
}

/** How many different codes `length` random symbols make. */
export const codeSpace = (length: number): number => 32 ** length;
