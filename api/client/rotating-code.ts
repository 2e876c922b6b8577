import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

// The member app's rotating QR, RFC 6238 style, shared by the phone (offline) and the server.
// counter = floor(unix seconds / period); value = HOTP (RFC 4226 dynamic truncation to 31 bits)
// over the counter with HMAC-SHA256 and the card's 32-byte secret, 8 decimal digits. Pure
// JavaScript (@noble/hashes): cheap phones on plain http have no crypto.subtle.

export const ROTATING_PERIOD_SECONDS = 30;
export const ROTATING_DIGITS = 8;

/** The time step of a moment (milliseconds since the epoch, already corrected by any clock offset). */
export function counterAt(unixMs: number, periodSeconds = ROTATING_PERIOD_SECONDS): number {
  return Math.floor(unixMs / 1000 / periodSeconds);
}

/** The 8-digit code of a time step (zero-padded). */
export function rotatingCode(secret: Uint8Array, counter: number): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('counter must be a non-negative safe integer');
  const message = new Uint8Array(8);
  const view = new DataView(message.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const mac = hmac(sha256, secret, message);
  const offset = mac[mac.length - 1] & 0x0f;
  const binary =
    ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** ROTATING_DIGITS).padStart(ROTATING_DIGITS, '0');
}

/** The text of the app's QR: `K2.<card number>.<8 digits>`, QR alphanumeric characters only. */
export const rotatingQrText = (cardNumber: string, code: string): string => `K2.${cardNumber}.${code}`;

/** Seconds left in the current step, for the countdown. */
export function secondsLeft(unixMs: number, periodSeconds = ROTATING_PERIOD_SECONDS): number {
  return periodSeconds - Math.floor(unixMs / 1000) % periodSeconds;
}

/** Decodes the base64url secret of GET /api/v1/me/card (no Buffer on the phone). */
export function secretFromBase64url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
