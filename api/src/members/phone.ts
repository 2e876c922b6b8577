import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** E.164, reading Indonesian national forms (0812…, 62812…, +62 812-…); null when not a valid number. */
export function normalisePhone(input: string, defaultCountry: 'ID' = 'ID'): string | null {
  const cleaned = input.trim().replace(/^00/, '+');
  const withPlus = /^62\d{8,}$/.test(cleaned) ? `+${cleaned}` : cleaned;
  const phone = parsePhoneNumberFromString(withPlus, defaultCountry);
  return phone && phone.isValid() ? phone.number : null;
}
