import { recordAudit } from '../audit/audit.repository.ts';
import type { AppDeps, Db } from '../deps.ts';
import { assertMemberPresent } from '../scan/presence.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { balancesOf, credit, debit, lockAccount } from './ledger.service.ts';

export async function redeemPoints(
  db: Db,
  principal: Principal,
  config: AppDeps['config'],
  memberId: string,
  input: { points: number; scanToken?: string; note?: string; storeId?: string },
) {
  const storeId = effectiveStoreId(principal, input.storeId);
  return inTransaction(db, async (trx) => {
    const account = await lockAccount(trx, principal.tenantId, memberId);
    if (storeId) await requireStore(trx, principal.tenantId, storeId, 'body.storeId');
    await assertMemberPresent(trx, principal, config.secretKey, { memberId, storeId, scanToken: input.scanToken, action: 'points.redeem' });
    await debit(trx, principal.tenantId, account, {
      kind: 'redeem', points: input.points, note: input.note ?? null, reference: 'redemption', actor: actorOf(principal),
    });
    return { points: balancesOf(account) };
  });
}

/** An admin's correction: a compensating entry, never an edit. Negative takes from the oldest lots. */
export async function adjustPoints(db: Db, principal: Principal, memberId: string, input: { points: number; reason: string }) {
  return inTransaction(db, async (trx) => {
    const account = await lockAccount(trx, principal.tenantId, memberId);
    const posting = { kind: 'adjust' as const, points: Math.abs(input.points), note: input.reason, reference: 'adjustment', actor: actorOf(principal) };
    if (input.points > 0) await credit(trx, principal.tenantId, account, posting, { expiresAt: expiresAt(new Date(), policyOf(await getTenant(trx, principal.tenantId))) });
    else await debit(trx, principal.tenantId, account, posting);
    await recordAudit(trx, principal, { action: 'points.adjusted', targetType: 'member', targetId: memberId, details: input });
    return { points: balancesOf(account) };
  });
}
