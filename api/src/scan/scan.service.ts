import type { AppDeps, Db } from '../deps.ts';
import { resolveScannedCode, scannedKind } from '../cards/cards.service.ts';
import { getMember } from '../members/members.service.ts';
import { notFound } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { createScanToken } from './scan-token.ts';

/**
 * What the till shows after a scan. Unknown, forged, blocked and replaced codes all answer 404.
 * A typed card number identifies the member (earn, look up) but its token cannot spend.
 */
export async function scan(db: Db, principal: Principal, config: AppDeps['config'], input: { code: string; storeId?: string }) {
  const storeId = effectiveStoreId(principal, input.storeId);
  if (storeId) await requireStore(db, principal.tenantId, storeId, 'body.storeId');
  const memberId = await resolveScannedCode(db, config.secretKey, principal.tenantId, input.code);
  const member = memberId ? await getMember(db, principal.tenantId, memberId) : null;
  if (!member || member.status !== 'active') throw notFound('Card');
  const presence = scannedKind(input.code) === 'typed' ? 'typed' : 'scanned';
  return {
    member: { id: member.id, name: member.name, tier: member.tier },
    points: { balance: member.points.balance, pending: member.points.pending },
    vouchers: [],
    offers: [],
    scanToken: createScanToken(config.secretKey, principal.tenantId, member.id, storeId, presence),
    canSpend: presence === 'scanned',
  };
}
