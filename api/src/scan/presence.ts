import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError } from '../shared/errors.ts';
import { needsMemberPresence, type Principal } from '../shared/principal.ts';
import { readScanToken } from './scan-token.ts';

/**
 * Spending a member's points needs the member at the till: a fresh scan token of that member at
 * that store from a scanned QR (printed card or app). A typed card number identifies the member but
 * does not let a cashier spend; a one-time code texted to the member (presence-codes.service.ts) does.
 * Owners, admins and admin keys may act without one; that is audit-logged.
 */
export async function assertMemberPresent(
  db: Db,
  principal: Principal,
  secretKey: Buffer,
  spend: { memberId: string; storeId: string | null; scanToken?: string; action: string },
): Promise<void> {
  const presence = spend.scanToken
    ? readScanToken(secretKey, spend.scanToken, { tenantId: principal.tenantId, memberId: spend.memberId, storeId: spend.storeId })
    : null;
  if (presence === 'scanned' || principal.kind === 'member') return;
  if (needsMemberPresence(principal)) throw presenceRequired(spend.scanToken, presence);
  await recordAudit(db, principal, {
    action: `${spend.action}.without_scan`,
    targetType: 'member',
    targetId: spend.memberId,
    details: presence === 'typed' ? { storeId: spend.storeId, typedNumber: true } : { storeId: spend.storeId },
  });
}

function presenceRequired(token: string | undefined, presence: 'typed' | null) {
  if (presence === 'typed') {
    return new DomainError(
      'presence_required',
      'A typed card number identifies the member but cannot spend: scan the card or the member’s app QR, send the member a one-time code (POST /api/v1/members/{id}/presence-codes), or ask an owner or admin',
      { presence: 'typed' },
      [{ path: 'body.scanToken', message: 'From a typed card number' }],
    );
  }
  return new DomainError('presence_required', 'Scan the member’s card at this store first, or send the member a one-time code (POST /api/v1/members/{id}/presence-codes): the scanToken is missing, stale or for another member or store', {}, [
    { path: 'body.scanToken', message: token ? 'Stale, or for another member or store' : 'Required' },
  ]);
}
