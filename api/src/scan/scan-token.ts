import { hmac, safeEqual } from '../shared/crypto.ts';

// A scan token proves the member was scanned at this store recently. Stateless: an HMAC under the
// server key over tenant, member, store and expiry, so a scan costs no write.
export const SCAN_TOKEN_SECONDS = 5 * 60;

const sign = (key: Buffer, body: string) => hmac(key, `scan|${body}`).subarray(0, 18).toString('base64url');

export function createScanToken(key: Buffer, tenantId: string, memberId: string, storeId: string | null, now = Date.now()) {
  const expires = Math.floor(now / 1000) + SCAN_TOKEN_SECONDS;
  const body = `${memberId}.${storeId ?? '-'}.${expires}`;
  return `${body}.${sign(key, `${tenantId}.${body}`)}`;
}

export function verifyScanToken(
  key: Buffer,
  token: string,
  expected: { tenantId: string; memberId: string; storeId: string | null },
  now = Date.now(),
): boolean {
  const parts = token.split('.');
  if (parts.length !== 4) return false;
  const [memberId, store, expires, mac] = parts;
  const body = `${memberId}.${store}.${expires}`;
  if (!safeEqual(Buffer.from(sign(key, `${expected.tenantId}.${body}`)), Buffer.from(mac))) return false;
  return memberId === expected.memberId && store === (expected.storeId ?? '-') && Number(expires) * 1000 > now;
}
