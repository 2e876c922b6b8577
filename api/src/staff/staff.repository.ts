import { sql, type Updateable } from 'kysely';
import type { StaffRole, StaffTable } from '@kartu/db';
import type { Db } from '../deps.ts';

const columns = ['id', 'tenant_id', 'email', 'name', 'role', 'store_id', 'active', 'must_change_password', 'created_at'] as const;

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('staff').select('id').where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  return Boolean(row);
}

export async function insertStaff(
  db: Db,
  row: { tenant_id: string; id: string; email: string; name: string; role: StaffRole; password_hash: string; store_id: string | null; must_change_password?: boolean },
) {
  await db.insertInto('staff').values(row).execute();
}

export function findStaff(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select(columns).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function findWithPassword(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select(['id', 'name', 'password_hash']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The row, locked for a change: owner counts and role checks must not race another change. */
export function lockStaff(db: Db, tenantId: string, id: string) {
  return db.selectFrom('staff').select([...columns, 'password_hash']).where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Locks every active owner (in id order), so two changes cannot each leave the other's owner last. */
export async function lockActiveOwners(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('staff')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('active', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((row) => row.id);
}

export interface StaffFilter {
  query?: string;
  active?: boolean;
}

/** Oldest first (ids are UUIDv7), `limit + 1` rows after the cursor. */
export function listStaff(db: Db, tenantId: string, filter: StaffFilter, limit: number, afterId?: string) {
  let query = db.selectFrom('staff').select(columns).where('tenant_id', '=', tenantId).orderBy('id').limit(limit + 1);
  if (filter.query) {
    const pattern = `%${filter.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb(sql`lower(name)`, 'like', pattern), eb(sql`lower(email)`, 'like', pattern)]));
  }
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (afterId) query = query.where('id', '>', afterId);
  return query.execute();
}

export async function updateStaff(db: Db, tenantId: string, id: string, changes: Updateable<StaffTable>) {
  await db.updateTable('staff').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Ends every session of the staff member; returns how many there were. */
export async function deleteSessionsOf(db: Db, tenantId: string, staffId: string, keepSessionId?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('principal_kind', '=', 'staff').where('principal_id', '=', staffId);
  if (keepSessionId) query = query.where('id', '!=', keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
