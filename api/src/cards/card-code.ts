import { hmac, safeEqual } from '../shared/crypto.ts';

// The printed card's QR: `K1.<kid>.<card number>.<mac>`, all in QR alphanumeric mode characters
// (upper case, digits, '.') so the code fits a small low-density QR. The MAC is 80 bits of
// HMAC-SHA256 over tenant, key id and number, under the tenant's card key: a code cannot be
// made from a card number, and a code of one tenant does not verify at another.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE = /^K1\.([0-9A-Z]{2})\.(\d{16})\.([0-9A-Z]{16})$/;

function base32(bytes: Buffer, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function mac(key: Buffer, tenantId: string, kid: string, number: string): string {
  return base32(hmac(key, `card|${tenantId}|${kid}|${number}`), 16);
}

export function signCardCode(key: Buffer, tenantId: string, kid: string, number: string): string {
  return `K1.${kid}.${number}.${mac(key, tenantId, kid, number)}`;
}

export function parseCardCode(code: string): { kid: string; number: string; mac: string } | null {
  const match = CODE.exec(code.trim().toUpperCase());
  return match ? { kid: match[1], number: match[2], mac: match[3] } : null;
}

export function verifyCardCode(key: Buffer, tenantId: string, parsed: { kid: string; number: string; mac: string }): boolean {
  return safeEqual(Buffer.from(mac(key, tenantId, parsed.kid, parsed.number)), Buffer.from(parsed.mac));
}

export const newKid = (random: Buffer): string => base32(random, 2);
