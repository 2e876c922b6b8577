import { DomainError } from '../shared/errors.ts';

// Why a code cannot be used. Every one is 409 (the code exists; its state or its terms refuse
// this use) except an unknown code, 404 — which callers count against the guessing limits.

/** No such code in the tenant (after normalising); another tenant's code is unknown too. */
export class UnknownVoucherError extends DomainError {
  constructor() {
    super('not_found', 'No such voucher code');
  }
}

export const voucherUsedUp = () => new DomainError('voucher_used_up', 'This voucher has no uses left');

export const voucherExpired = (expiresAt: Date) =>
  new DomainError('voucher_expired', `This voucher expired at ${expiresAt.toISOString()}`, { expiresAt: expiresAt.toISOString() });

export const voucherNotStarted = (startsAt: Date) =>
  new DomainError('voucher_not_started', `This voucher is valid from ${startsAt.toISOString()}`, { startsAt: startsAt.toISOString() });

/** The voucher exists and has uses left, but not for this use. `reason` says why (problem field `reason`). */
export type NotEligibleReason = 'voided' | 'disabled' | 'other_member' | 'member_required' | 'member_limit' | 'wrong_channel' | 'wrong_store';

const notEligibleText: Record<NotEligibleReason, string> = {
  voided: 'This voucher was cancelled',
  disabled: 'This voucher’s batch is disabled',
  other_member: 'This voucher belongs to another member',
  member_required: 'This voucher can only be used by a member (give memberId)',
  member_limit: 'This member has used this voucher as often as allowed',
  wrong_channel: 'This voucher is not valid on this channel',
  wrong_store: 'This voucher is not valid at this store',
};

export const voucherNotEligible = (reason: NotEligibleReason) => new DomainError('voucher_not_eligible', notEligibleText[reason], { reason });
