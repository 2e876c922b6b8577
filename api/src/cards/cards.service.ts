import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { cardKey, currentCardKid } from './card-keys.ts';
import { parseCardCode, signCardCode, verifyCardCode } from './card-code.ts';
import { toCardView } from './cards.mapper.ts';
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
  const id = newId();
  const rotating_secret_enc = masterKey ? newSealedRotatingSecret(masterKey, { tenant_id: tenantId, id }) : null;
  await repo.insertCard(db, { tenant_id: tenantId, id, member_id: memberId, number, kid, rotating_secret_enc });
  return { id, number, kid };
}

export type ReplaceReason = 'lost' | 'damaged';

/** The member must exist in the tenant; any other answer is 404. */
async function requireMember(db: Db, tenantId: string, memberId: string) {
  if (!(await repo.lockMember(db, tenantId, memberId))) throw notFound('Member');
}

/**
 * A lost or damaged card: the current card (active or blocked) becomes 'replaced' and stops
 * scanning (printed code, typed number and app code), and a new card with a new number, code and
 * rotating secret is issued. Points and history belong to the member and stay.
 */
export async function replaceCard(db: Db, principal: Principal, masterKey: Buffer, memberId: string, reason: ReplaceReason) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    await requireMember(trx, tenantId, memberId);
    const current = await repo.lockCurrentCardOfMember(trx, tenantId, memberId);
    if (current && !(await repo.markReplaced(trx, tenantId, current.id, reason))) {
      throw new DomainError('conflict', 'The card changed meanwhile; try again', { retryAfter: 1 });
    }
    const issued = await issueCard(trx, tenantId, memberId, masterKey);
    await recordAudit(trx, principal, {
      action: 'card.replaced',
      targetType: 'member',
      targetId: memberId,
      details: { reason, oldCardId: current?.id ?? null, oldCardNumber: current?.number ?? null, newCardId: issued.id, newCardNumber: issued.number },
    });
    return toCardView(await repo.findCardById(trx, tenantId, issued.id));
  });
}

/**
 * Blocks or unblocks the member's current card. A blocked card scans like an unknown one (404);
 * unblocking restores it. Repeating the same request changes nothing and is not audited again.
 */
export async function setCardBlocked(db: Db, principal: Principal, memberId: string, blocked: boolean) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    await requireMember(trx, tenantId, memberId);
    const current = await repo.lockCurrentCardOfMember(trx, tenantId, memberId);
    if (!current) throw notFound('Card');
    const [from, to] = blocked ? (['active', 'blocked'] as const) : (['blocked', 'active'] as const);
    if (current.status === from) {
      await repo.setCardStatus(trx, tenantId, current.id, from, to);
      await recordAudit(trx, principal, {
        action: blocked ? 'card.blocked' : 'card.unblocked',
        targetType: 'member',
        targetId: memberId,
        details: { cardId: current.id, cardNumber: current.number },
      });
    }
    return toCardView(await repo.findCardById(trx, tenantId, current.id));
  });
}

/** Every card the member had, newest first. */
export async function cardHistory(db: Db, tenantId: string, memberId: string) {
  await requireMember(db, tenantId, memberId);
  return { items: (await repo.cardsOfMember(db, tenantId, memberId)).map(toCardView) };
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
 * the scan is no oracle. A rotating code scans while its step is current (a cashier may scan twice);
 * once a newer step of the card was seen, older ones no longer scan.
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
