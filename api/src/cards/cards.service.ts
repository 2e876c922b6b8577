import type { Db } from '../deps.ts';
import { notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { cardKey, currentCardKid } from './card-keys.ts';
import { parseCardCode, signCardCode, verifyCardCode } from './card-code.ts';
import * as repo from './cards.repository.ts';
import { newCardNumber, normaliseTypedCardNumber } from './luhn.ts';

export async function issueCard(db: Db, tenantId: string, memberId: string) {
  const kid = await currentCardKid(db, tenantId);
  let number = newCardNumber();
  while (await repo.cardNumberTaken(db, tenantId, number)) number = newCardNumber();
  await repo.insertCard(db, { tenant_id: tenantId, id: newId(), member_id: memberId, number, kid });
  return { number, kid };
}

/** The active card's number and signed QR code. */
export async function cardOfMember(db: Db, masterKey: Buffer, tenantId: string, memberId: string) {
  const card = await repo.findActiveCardOfMember(db, tenantId, memberId);
  if (!card) throw notFound('Card');
  const key = await cardKey(db, masterKey, tenantId, card.kid);
  if (!key) throw notFound('Card');
  return { cardNumber: card.number, code: signCardCode(key, tenantId, card.kid, card.number) };
}

/**
 * Resolves what a scanner read (a signed QR code or a typed card number) to an active card's
 * member, or null; callers answer every null the same way so the scan is no oracle.
 */
export async function resolveScannedCode(db: Db, masterKey: Buffer, tenantId: string, text: string): Promise<string | null> {
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
