import type { Db } from '../deps.ts';
import { notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { cardKey, currentCardKid } from './card-keys.ts';
import { parseCardCode, signCardCode, verifyCardCode } from './card-code.ts';
import * as repo from './cards.repository.ts';
import { newCardNumber, normaliseTypedCardNumber } from './luhn.ts';
import {
  claimCounter,
  matchingCounter,
  newSealedRotatingSecret,
  parseRotatingCode,
  rotatingParameters,
  rotatingSecretOf,
} from './rotating-codes.ts';

/**
 * A new active card. With the server key the card gets its rotating-code secret now; without it
 * (older callers) on first use.
 */
export async function issueCard(db: Db, tenantId: string, memberId: string, masterKey?: Buffer) {
  const kid = await currentCardKid(db, tenantId);
  let number = newCardNumber();
  while (await repo.cardNumberTaken(db, tenantId, number)) number = newCardNumber();
  const rotating_secret_enc = masterKey ? newSealedRotatingSecret(masterKey) : null;
  await repo.insertCard(db, { tenant_id: tenantId, id: newId(), member_id: memberId, number, kid, rotating_secret_enc });
  return { number, kid };
}

/** The active card's number and signed QR code (the printed card's). */
export async function cardOfMember(db: Db, masterKey: Buffer, tenantId: string, memberId: string) {
  const card = await repo.findActiveCardOfMember(db, tenantId, memberId);
  if (!card) throw notFound('Card');
  const key = await cardKey(db, masterKey, tenantId, card.kid);
  if (!key) throw notFound('Card');
  return { cardNumber: card.number, code: signCardCode(key, tenantId, card.kid, card.number) };
}

/**
 * What the member app needs to show the card offline: the printed code, and the rotating code's
 * secret and parameters with the server's clock (the phone keeps the offset).
 */
export async function memberAppCard(db: Db, masterKey: Buffer, tenantId: string, memberId: string, now = new Date()) {
  const card = await repo.findActiveCardOfMember(db, tenantId, memberId);
  if (!card) throw notFound('Card');
  const key = await cardKey(db, masterKey, tenantId, card.kid);
  if (!key) throw notFound('Card');
  const secret = await rotatingSecretOf(db, masterKey, card);
  return {
    cardNumber: card.number,
    code: signCardCode(key, tenantId, card.kid, card.number),
    rotating: { secret: secret.toString('base64url'), ...rotatingParameters },
    serverTime: now.toISOString(),
  };
}

export type ScannedKind = 'printed' | 'rotating' | 'typed';

/** How a scanned text looks: a signed printed code, an app code, or anything else (a typed number). */
export function scannedKind(text: string): ScannedKind {
  if (parseCardCode(text)) return 'printed';
  if (parseRotatingCode(text)) return 'rotating';
  return 'typed';
}

/**
 * Resolves what a scanner read (a printed card's signed code, the app's rotating code or a typed
 * card number) to an active card's member, or null; callers answer every null the same way so
 * the scan is no oracle. An accepted rotating code is used up: the same code scans once.
 */
export async function resolveScannedCode(db: Db, masterKey: Buffer, tenantId: string, text: string, now = Date.now()): Promise<string | null> {
  const rotating = parseRotatingCode(text);
  if (rotating) {
    const card = await repo.findActiveCardByNumber(db, tenantId, rotating.number);
    // A card without a secret never showed an app code.
    if (!card?.rotating_secret_enc) return null;
    const counter = matchingCounter(await rotatingSecretOf(db, masterKey, card), rotating.code, now);
    if (counter === null || !(await claimCounter(db, card, counter))) return null;
    return card.member_id;
  }
  const signed = parseCardCode(text);
  let number: string | null;
  if (signed) {
    const key = await cardKey(db, masterKey, tenantId, signed.kid);
    if (!key || !verifyCardCode(key, tenantId, signed)) return null;
    number = signed.number;
  } else {
    number = normaliseTypedCardNumber(text);
  }
  if (!number) return null;
  const card = await repo.findActiveCardByNumber(db, tenantId, number);
  return card?.member_id ?? null;
}
