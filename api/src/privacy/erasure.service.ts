import type { Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { forfeitAll, lockAccount } from '../ledger/ledger.service.ts';
import * as members from '../members/members.repository.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import * as repo from './erasure.repository.ts';

/**
 * The word a member types to confirm, in either language. A word rather than a fresh one-time code:
 * the member already proved the phone to sign in, a word works on any phone without waiting for
 * (or paying for) an SMS, and it cannot be tapped through by accident.
 */
export const CONFIRM_WORDS = ['HAPUS', 'DELETE'] as const;

export function checkConfirmation(word: string) {
  if (!(CONFIRM_WORDS as readonly string[]).includes(word.trim().toUpperCase())) {
    throw invalidField('body.confirm', `Type ${CONFIRM_WORDS.join(' or ')} to confirm`);
  }
}

export interface ErasureResult {
  memberId: string;
  erasedAt: string;
  pointsForfeited: { balance: number; pending: number; debt: number };
}

/**
 * Erases a member's personal data in one transaction (UU PDP): profile, free-text feedback,
 * message recipients and bodies (unsent ones fail), webhook bodies, personal values in audit details,
 * codes, sessions, imported cells; blocks the cards; forfeits the
 * points (compensating `adjust` entries, reference `erasure`) and leaves a tombstone with the id, so
 * the ledger, sales and lots still add up. The phone is freed to join again as a new member.
 * Locks the account, then the member row. A second call finds the tombstone and changes nothing.
 */
export async function eraseMember(db: Db, principal: Principal, memberId: string, details: Record<string, unknown> = {}): Promise<ErasureResult> {
  const tenantId = principal.tenantId;
  return inTransaction(db, async (trx) => {
    const account = await lockAccount(trx, tenantId, memberId);
    const member = await members.lockMember(trx, tenantId, memberId);
    if (!member) throw notFound('Member');
    if (member.status === 'merged') throw new DomainError('conflict', 'This member was merged into another; erase that one');
    if (member.status !== 'erased') {
      const erasedAt = new Date();
      const forfeited = await forfeitAll(trx, tenantId, account, { reference: repo.ERASURE_REFERENCE, note: 'Personal data erased on the member’s request', actor: actorOf(principal) });
      const cards = await repo.blockCards(trx, tenantId, memberId);
      const contacts = [member.phone, member.email].filter((c): c is string => Boolean(c));
      const messages = await repo.scrubMessages(trx, tenantId, memberId, contacts);
      const feedback = await repo.scrubFeedback(trx, tenantId, memberId);
      await repo.deleteTraces(trx, tenantId, memberId, member.phone);
      await repo.scrubImportRows(trx, tenantId, memberId);
      await repo.refusePendingReferrals(trx, tenantId, memberId);
      await repo.scrubIdempotentReplies(trx, tenantId, member);
      const duplicates = await repo.mergedInto(trx, tenantId, memberId);
      const everyId = [memberId, ...duplicates.map((d) => d.id)];
      await repo.scrubWebhookBodies(trx, tenantId, everyId);
      await repo.scrubAudit(trx, tenantId, everyId);
      for (const duplicate of duplicates) {
        await repo.scrubMessages(trx, tenantId, duplicate.id, duplicate.email ? [duplicate.email] : []);
        await repo.scrubImportRows(trx, tenantId, duplicate.id);
        await repo.scrubIdempotentReplies(trx, tenantId, duplicate);
        await repo.scrubMerged(trx, tenantId, duplicate.id);
      }
      await repo.tombstone(trx, tenantId, memberId, erasedAt);
      await recordAudit(trx, principal, {
        action: 'member.erased', targetType: 'member', targetId: memberId,
        details: { ...details, pointsForfeited: forfeited, cards, messages, feedback },
      });
    }
    const erased = await members.lockMember(trx, tenantId, memberId);
    return { memberId, erasedAt: erased!.erased_at!.toISOString(), pointsForfeited: await repo.forfeitedAtErasure(trx, tenantId, account.id) };
  });
}

/** The member erases their own data from the app, confirming with the word. */
export async function eraseOwnData(db: Db, principal: Principal, confirm: string) {
  checkConfirmation(confirm);
  return eraseMember(db, principal, principal.id);
}
