import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export async function insertCode(
  db: Db,
  row: { tenant_id: string; id: string; member_id: string; store_id: string | null; code_hash: Buffer; expires_at: Date },
) {
  await db.insertInto('presence_codes').values(row).execute();
}

/** A new code replaces the member's older live ones, whatever store they were sent for. */
export async function retireLiveCodes(db: Db, tenantId: string, memberId: string) {
  await db
    .updateTable('presence_codes')
    .set({ consumed_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('member_id', '=', memberId)
    .where('consumed_at', 'is', null)
    .execute();
}

/**
 * Spends one try of the member's newest live code sent for this store (null: sent without a store);
 * none when there is no such code, or it expired, was used or is out of tries.
 */
export function takeTry(db: Db, tenantId: string, memberId: string, storeId: string | null, maxTries: number) {
  return db
    .updateTable('presence_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', (eb) =>
      eb.selectFrom('presence_codes').select('id')
        .where('tenant_id', '=', tenantId).where('member_id', '=', memberId)
        .where(sql<boolean>`store_id is not distinct from ${storeId}::uuid`)
        .where('consumed_at', 'is', null).where('expires_at', '>', sql<Date>`now()`)
        .orderBy('created_at', 'desc').limit(1),
    )
    .where('attempts', '<', maxTries)
    .returning(['id', 'code_hash', 'attempts'])
    .executeTakeFirst();
}

/** Marks the code used; false when another request used it first. */
export async function consume(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('presence_codes')
    .set({ consumed_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
