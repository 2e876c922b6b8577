import { Readable } from 'node:stream';
import { recordAudit } from '../audit/audit.repository.ts';
import { cardBrand } from '../branding/branding.service.ts';
import type { Db } from '../deps.ts';
import { createMember, type NewMember } from '../members/members.service.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { cardSheetStream } from './card-sheet.ts';
import { cardKey, currentCardKid } from './card-keys.ts';
import { parseCardCode, signCardCode, verifyCardCode } from './card-code.ts';
import * as repo from './cards.repository.ts';
import { newCardNumber, normaliseTypedCardNumber } from './luhn.ts';
import { newSealedRotatingSecret } from './rotating-codes.ts';

// Card stock: retailers hand out pre-printed cards at the counter. A batch of unassigned cards
// (no member, status 'unassigned') is generated with numbers, signed K1 codes (computable from the
// number and the tenant's key) and rotating secrets; the print shop gets `card_number,code` rows.
// At the till a cashier scans one and signs the customer up with it in one step.

export const MAX_STOCK_BATCH = 10_000;
const CHUNK = 1_000;

/** `count` numbers new in the tenant and distinct from each other. */
async function freshNumbers(db: Db, tenantId: string, count: number): Promise<string[]> {
  const chosen = new Set<string>();
  while (chosen.size < count) {
    const candidates = new Set<string>();
    while (candidates.size < Math.min(CHUNK, count - chosen.size)) {
      const number = newCardNumber();
      if (!chosen.has(number)) candidates.add(number);
    }
    const taken = await repo.takenCardNumbers(db, tenantId, [...candidates]);
    for (const number of candidates) if (!taken.has(number)) chosen.add(number);
  }
  return [...chosen];
}

export async function generateStock(db: Db, principal: Principal, masterKey: Buffer, count: number) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const kid = await currentCardKid(trx, tenantId);
    const batchId = newId();
    const numbers = await freshNumbers(trx, tenantId, count);
    for (let i = 0; i < numbers.length; i += CHUNK) {
      await repo.insertStockCards(
        trx,
        numbers.slice(i, i + CHUNK).map((number) => {
          const card = { tenant_id: tenantId, id: newId() };
          return { ...card, batch_id: batchId, number, kid, rotating_secret_enc: newSealedRotatingSecret(masterKey, card) };
        }),
      );
    }
    await recordAudit(trx, principal, { action: 'card_stock.generated', targetType: 'card_batch', targetId: batchId, details: { count } });
    return { batchId, count };
  });
}

/** The batch's cards with their printed codes, a page at a time in number order. */
async function* signedBatch(db: Db, masterKey: Buffer, tenantId: string, batchId: string) {
  const keys = new Map<string, Buffer>();
  let after: string | null = null;
  for (;;) {
    const page = await repo.batchCardsPage(db, tenantId, batchId, after, CHUNK);
    if (page.length === 0) return;
    const signed = [];
    for (const card of page) {
      let key = keys.get(card.kid);
      if (!key) {
        const found = await cardKey(db, masterKey, tenantId, card.kid);
        if (!found) throw new Error(`card key ${card.kid} of tenant ${tenantId} is missing`);
        keys.set(card.kid, (key = found));
      }
      signed.push({ cardNumber: card.number, code: signCardCode(key, tenantId, card.kid, card.number) });
    }
    yield signed;
    after = page[page.length - 1].number;
  }
}

/**
 * The batch's `card_number,code` rows for the print shop, streamed in number order. Numbers are
 * digits and codes are QR alphanumerics, so neither needs quoting. 404 for a batch the tenant
 * does not have.
 */
export async function stockCodesCsv(db: Db, masterKey: Buffer, tenantId: string, batchId: string): Promise<Readable> {
  if (!(await repo.batchExists(db, tenantId, batchId))) throw notFound('Card batch');
  async function* rows() {
    yield 'card_number,code\r\n';
    for await (const page of signedBatch(db, masterKey, tenantId, batchId)) {
      yield page.map((card) => `${card.cardNumber},${card.code}\r\n`).join('');
    }
  }
  return Readable.from(rows());
}

/** The batch as A4 sheets of 10 cards with crop marks, for the print shop (at most 10,000 cards). */
export async function stockSheetPdf(db: Db, masterKey: Buffer, tenantId: string, batchId: string): Promise<Readable> {
  if (!(await repo.batchExists(db, tenantId, batchId))) throw notFound('Card batch');
  const cards = [];
  for await (const page of signedBatch(db, masterKey, tenantId, batchId)) cards.push(...page);
  const tenant = await getTenant(db, tenantId);
  return cardSheetStream(cards, { retailer: tenant.name, ...(await cardBrand(db, tenantId)) });
}

/** The card number a printed K1 code (verified) or a typed number stands for, or null. */
async function stockCardNumber(db: Db, masterKey: Buffer, tenantId: string, text: string): Promise<string | null> {
  const signed = parseCardCode(text);
  if (!signed) return normaliseTypedCardNumber(text);
  const key = await cardKey(db, masterKey, tenantId, signed.kid);
  return key && verifyCardCode(key, tenantId, signed) ? signed.number : null;
}

/**
 * Signs a walk-in customer up with the pre-printed card they hand over: one transaction creates
 * the member and gives them that card (no new card is issued). Unknown, forged or another
 * retailer's card → 404; a card that already belongs to someone → 409 card_assigned; a phone
 * already registered → 409 phone_taken, and the card stays unassigned.
 */
export async function attachStockCard(db: Db, principal: Principal, masterKey: Buffer, code: string, input: NewMember) {
  return inTransaction(db, async (trx) => {
    const tenantId = principal.tenantId;
    const number = await stockCardNumber(trx, masterKey, tenantId, code);
    const card = number ? await repo.lockCardByNumber(trx, tenantId, number) : undefined;
    // Only an unassigned card or one already in use (a scan shows that anyway) is told apart from
    // an unknown number; blocked and replaced cards answer like unknown ones, as the scan does.
    if (!card || (card.status !== 'unassigned' && card.status !== 'active')) throw notFound('Card');
    if (card.status !== 'unassigned') {
      throw new DomainError('card_assigned', 'This card already belongs to a member', {}, [{ path: 'body.code', message: 'Already assigned' }]);
    }
    const member = await createMember(trx, principal, input, masterKey, async (inner, memberId) => {
      if (!(await repo.assignCard(inner, tenantId, card.id, memberId))) {
        throw new DomainError('card_assigned', 'This card already belongs to a member', {}, [{ path: 'body.code', message: 'Already assigned' }]);
      }
    });
    await recordAudit(trx, principal, {
      action: 'card.attached', targetType: 'member', targetId: member.id, details: { cardId: card.id, cardNumber: card.number },
    });
    return member;
  });
}
