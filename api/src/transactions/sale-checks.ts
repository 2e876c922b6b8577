import type { Db } from '../deps.ts';
import { insufficientPoints, spendablePoints } from '../ledger/ledger.service.ts';
import { getMember } from '../members/members.service.ts';
import { DomainError, invalidField } from '../shared/errors.ts';

// What posting a sale refuses about its member, shared with /checkout/evaluate so that an
// evaluation refuses exactly what posting the same cart would, with the same error codes.

/** The member a sale is for: unknown or not active is refused at body.memberId (400). */
export async function saleMember(db: Db, tenantId: string, memberId: string) {
  const member = await getMember(db, tenantId, memberId).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'not_found') return null;
    throw error;
  });
  if (!member) throw invalidField('body.memberId', 'No such member');
  if (member.status === 'merged') throw invalidField('body.memberId', 'This member was merged into another; use that member');
  if (member.status === 'erased') throw invalidField('body.memberId', 'This member was erased on their request');
  if (member.status !== 'active') throw invalidField('body.memberId', 'This member is blocked');
  return member;
}

/** More points than the member could spend now: 409 insufficient_points, as the sale's debit refuses it. */
export async function assertSpendable(db: Db, tenantId: string, memberId: string, points: number) {
  const spendable = await spendablePoints(db, tenantId, memberId);
  if (points > spendable) throw insufficientPoints(spendable);
}
