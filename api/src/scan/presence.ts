import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError } from '../shared/errors.ts';
import { needsMemberPresence, type Principal } from '../shared/principal.ts';
import { verifyScanToken } from './scan-token.ts';

/**
 * Spending a member's points needs the member at the till: a fresh scan token of that member at
 * that store. Owners, admins and admin keys may act without one; that is audit-logged.
 */
export async function assertMemberPresent(
  db: Db,
  principal: Principal,
  secretKey: Buffer,
  spend: { memberId: string; storeId: string | null; scanToken?: string; action: string },
): Promise<void> {
  const tokenOk = Boolean(
    spend.scanToken &&
      verifyScanToken(secretKey, spend.scanToken, { tenantId: principal.tenantId, memberId: spend.memberId, storeId: spend.storeId }),
  );
  if (tokenOk || principal.kind === 'member') return;
  if (needsMemberPresence(principal)) {
    throw new DomainError('presence_required', 'Scan the member’s card at this store first (scanToken missing, stale or for another member or store)', {}, [
      { path: 'body.scanToken', message: spend.scanToken ? 'Stale, or for another member or store' : 'Required' },
    ]);
  }
  await recordAudit(db, principal, { action: `${spend.action}.without_scan`, targetType: 'member', targetId: spend.memberId, details: { storeId: spend.storeId } });
}
