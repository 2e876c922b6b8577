import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** E.164, reading Indonesian national forms (0812…, 62812…, +62 812-…); null when not a valid number. */
export function normalisePhone(input: string, defaultCountry: 'ID' = 'ID'): string | null {
  // No valid number has fewer digits, country code included (Niue's: +683 and 4): a name typed into
  // the till's search is not parsed, which throws and catches inside libphonenumber (0.1 ms a search).
  if ((input.match(/\p{Nd}/gu)?.length ?? 0) < 7) return null; // any script's digits, as libphonenumber reads them
  const cleaned = input.trim().replace(/^00/, '+');
  const withPlus = /^62\d{8,}$/.test(cleaned) ? `+${cleaned}` : cleaned;
  const phone = parsePhoneNumberFromString(withPlus, defaultCountry);
  return phone && phone.isValid() ? phone.number : null;
}
