import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export async function insertApiKey(
  db: Db,
  row: { tenant_id: string; id: string; name: string; scopes: string[]; store_id: string | null; secret_hash: Buffer; created_by: string },
) {
  await db.insertInto('api_keys').values(row).execute();
}

const columns = ['id', 'name', 'scopes', 'store_id', 'created_by', 'created_at', 'last_used_at', 'revoked_at'] as const;

export function findApiKey(db: Db, tenantId: string, id: string) {
  return db.selectFrom('api_keys').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Newest first, `limit + 1` rows before the cursor. */
export function listApiKeys(db: Db, tenantId: string, filter: { revoked?: boolean }, limit: number, beforeId?: string) {
  let query = db.selectFrom('api_keys').select(columns).where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit + 1);
  if (filter.revoked !== undefined) query = query.where('revoked_at', filter.revoked ? 'is not' : 'is', null);
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.execute();
}

/** Revokes a live key; false when it was already revoked. */
export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
