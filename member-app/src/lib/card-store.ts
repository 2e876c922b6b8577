import { secretFromBase64url } from '@kartu/api/client';
import type { Card } from './api';

// The card the phone shows, kept in localStorage so the rotating QR still works when the app is
// opened without data (until a service worker caches the app itself). The secret is the member's
// own: it only makes codes for this card, and replacing the card ends it.

export interface StoredCard {
  memberId: string;
  cardNumber: string;
  /** base64url, 32 bytes */
  secret: string;
  periodSeconds: number;
  digits: number;
}

const cardKey = (slug: string) => `kartu.card.${slug}`;
const offsetKey = 'kartu.clockOffset';

export function storedCard(slug: string, memberId: string): StoredCard | null {
  try {
    const stored = JSON.parse(localStorage.getItem(cardKey(slug)) ?? 'null') as StoredCard | null;
    return stored && stored.memberId === memberId && stored.secret && stored.cardNumber ? stored : null;
  } catch {
    return null;
  }
}

export function storeCard(slug: string, memberId: string, card: Card): StoredCard {
  const stored: StoredCard = {
    memberId,
    cardNumber: card.cardNumber,
    secret: card.rotating.secret,
    periodSeconds: card.rotating.periodSeconds,
    digits: card.rotating.digits,
  };
  try {
    localStorage.setItem(cardKey(slug), JSON.stringify(stored));
  } catch {
    // Private mode or a full storage: the card still shows while the app is open.
  }
  return stored;
}

export function forgetCard(slug: string) {
  try {
    localStorage.removeItem(cardKey(slug));
  } catch {
    // nothing stored
  }
}

/** The secret's bytes, decoded once per card. */
export const secretBytes = (card: StoredCard): Uint8Array => secretFromBase64url(card.secret);

// The server's clock minus the phone's, in milliseconds: a phone whose clock is minutes off still
// shows the code the till accepts. Set from /me/card's serverTime (precise), and corrected from the
// Date header of any API response (whole seconds) when the phone's clock jumped since.
let offset = readOffset();

function readOffset(): number {
  try {
    const value = Number(localStorage.getItem(offsetKey));
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

function saveOffset(value: number) {
  offset = Math.round(value);
  try {
    localStorage.setItem(offsetKey, String(offset));
  } catch {
    // kept in memory only
  }
}

export const clockOffset = () => offset;

/** The server's time now, by the phone's clock and the remembered offset. */
export const serverNow = () => Date.now() + offset;

/** From a response's precise server time, sent between `sentAt` and `receivedAt` (phone clock). */
export function noteServerTime(serverIso: string, sentAt: number, receivedAt: number) {
  const server = Date.parse(serverIso);
  if (Number.isFinite(server)) saveOffset(server - (sentAt + receivedAt) / 2);
}

/**
 * From an HTTP Date header (second precision): only a difference of more than a few seconds
 * is news, so a precise offset is not replaced by a rounded one.
 */
export function noteDateHeader(header: string | null, sentAt: number, receivedAt: number) {
  if (!header) return;
  const server = Date.parse(header);
  if (!Number.isFinite(server)) return;
  const candidate = server + 500 - (sentAt + receivedAt) / 2;
  if (Math.abs(candidate - offset) > 3_000 + (receivedAt - sentAt) / 2) saveOffset(candidate);
}
