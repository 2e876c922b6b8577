import { hmac, safeEqual } from '../shared/crypto.ts';

// A scan token proves the member was scanned at this store recently. Stateless: an HMAC under the
// server key over tenant, member, store, expiry and how the card was read, so a scan costs no write.
export const SCAN_TOKEN_SECONDS = 5 * 60;

/**
 * How the member was identified. A signed QR (printed card or app) shows the card was there and
 * may spend; a typed card number only identifies the member, because the number is printed on
 * the card and shown to staff, so anyone who has seen it could type it.
 */
export type Presence = 'scanned' | 'typed';

const PRESENCE_MARK: Record<Presence, string> = { scanned: 's', typed: 't' };

const sign = (key: Buffer, body: string) => hmac(key, `scan|${body}`).subarray(0, 18).toString('base64url');

export function createScanToken(
  key: Buffer,
  tenantId: string,
  memberId: string,
  storeId: string | null,
  presence: Presence,
  now = Date.now(),
) {
  const expires = Math.floor(now / 1000) + SCAN_TOKEN_SECONDS;
  const body = `${memberId}.${storeId ?? '-'}.${expires}.${PRESENCE_MARK[presence]}`;
  return `${body}.${sign(key, `${tenantId}.${body}`)}`;
}

/** How the member was identified, if the token is genuine, fresh and for this member and store; otherwise null. */
export function readScanToken(
  key: Buffer,
  token: string,
  expected: { tenantId: string; memberId: string; storeId: string | null },
  now = Date.now(),
): Presence | null {
  const parts = token.split('.');
  if (parts.length !== 5) return null;
  const [memberId, store, expires, mark, mac] = parts;
  const body = `${memberId}.${store}.${expires}.${mark}`;
  if (!safeEqual(Buffer.from(sign(key, `${expected.tenantId}.${body}`)), Buffer.from(mac))) return null;
  if (memberId !== expected.memberId || store !== (expected.storeId ?? '-') || Number(expires) * 1000 <= now) return null;
  return mark === PRESENCE_MARK.scanned ? 'scanned' : mark === PRESENCE_MARK.typed ? 'typed' : null;
}
