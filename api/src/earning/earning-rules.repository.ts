import { sql } from 'kysely';
import type { Db } from '../deps.ts';

const columns = ['id', 'name', 'status', 'priority', 'exclusivity_group', 'conditions', 'effect', 'created_at', 'updated_at'] as const;

export function listRules(db: Db, tenantId: string, status?: 'active' | 'paused') {
  let query = db.selectFrom('earning_rules').select(columns).where('tenant_id', '=', tenantId).orderBy('priority', 'desc').orderBy('id');
  if (status) query = query.where('status', '=', status);
  return query.execute();
}

export type RuleRow = Awaited<ReturnType<typeof listRules>>[number];

export function findRule(db: Db, tenantId: string, id: string) {
  return db.selectFrom('earning_rules').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function insertRule(
  db: Db,
  row: { tenant_id: string; id: string; name: string; status: 'active' | 'paused'; priority: number; exclusivity_group: string | null; conditions: unknown; effect: unknown },
) {
  await db
    .insertInto('earning_rules')
    .values({ ...row, conditions: JSON.stringify(row.conditions), effect: JSON.stringify(row.effect) })
    .execute();
}

export async function updateRule(
  db: Db,
  tenantId: string,
  id: string,
  patch: { name?: string; status?: 'active' | 'paused'; priority?: number; exclusivity_group?: string | null; conditions?: unknown; effect?: unknown },
) {
  const { conditions, effect, ...rest } = patch;
  await db
    .updateTable('earning_rules')
    .set({
      ...rest,
      ...(conditions !== undefined ? { conditions: JSON.stringify(conditions) } : {}),
      ...(effect !== undefined ? { effect: JSON.stringify(effect) } : {}),
      updated_at: sql`now()`,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/** Which of these store ids are the tenant's own. */
export async function existingStoreIds(db: Db, tenantId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((row) => row.id));
}
