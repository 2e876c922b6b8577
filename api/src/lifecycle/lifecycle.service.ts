import type { Db } from '../deps.ts';
import { inTransaction } from '../shared/transaction.ts';
import * as repo from './lifecycle.repository.ts';

/** A posted sale (or a claimed one) moves the member's lifecycle at once: prospect → new, lapsed → won back. */
export async function afterPurchase(trx: Db, tenantId: string, memberId: string, at: Date) {
  await repo.recordPurchase(trx, tenantId, memberId, at);
  await repo.refreshStages(trx, new Date(), { tenantId, memberId });
}

/** After a void or a merge: first and last purchase, and the stage, as the posted sales now say. */
export async function purchasesChanged(trx: Db, tenantId: string, memberId: string) {
  await repo.recountPurchases(trx, tenantId, memberId);
  await repo.refreshStages(trx, new Date(), { tenantId, memberId });
}

const STAGE_REFRESH_MS = 3600e3;

/**
 * The clock moves members along (new → active → at risk → lapsed); the scheduler runs this every
 * five minutes. A retailer's members are looked at once an hour (stages are counted in days, and it
 * is a scan of all of them: 2 s at 1,000,000 members), one retailer per transaction, so no
 * statement holds every member row of the database at once.
 */
export async function refreshAllStages(db: Db, now = new Date()) {
  let changed = 0;
  for (const { id } of await db.selectFrom('tenants').select('id').orderBy('id').execute()) changed += await refreshStagesIfDue(db, id, now);
  return changed;
}

/** The retailer's stages as of `now`, unless the clock moved them in the hour before (0 then). */
export function refreshStagesIfDue(db: Db, tenantId: string, now: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    if (!(await repo.claimStageRefresh(trx, tenantId, now, new Date(now.getTime() - STAGE_REFRESH_MS)))) return 0;
    return repo.refreshStages(trx, now, { tenantId });
  });
}

export async function stageHistory(db: Db, tenantId: string, memberId: string) {
  const rows = await repo.stageHistory(db, tenantId, memberId);
  return rows.map((r) => ({ from: r.from_stage, to: r.to_stage, at: r.changed_at.toISOString() }));
}
