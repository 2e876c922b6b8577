import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export function findStaffByEmail(db: Db, email: string) {
  return db
    .selectFrom('staff')
    .selectAll()
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('active', '=', true)
    .executeTakeFirst();
}

export async function insertSession(
  db: Db,
  row: { tenant_id: string; id: string; principal_kind: 'staff' | 'member'; principal_id: string; secret_hash: Buffer; expires_at: Date },
) {
  await db.insertInto('sessions').values(row).execute();
}

export function findLiveSession(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('sessions')
    .select(['principal_kind', 'principal_id', 'secret_hash'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function deleteSession(db: Db, tenantId: string, id: string) {
  await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export function findActiveStaff(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('staff')
    .select(['id', 'role', 'store_id', 'must_change_password'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('active', '=', true)
    .executeTakeFirst();
}

export function findActiveMember(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('members')
    .select(['id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

export function findLiveApiKey(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'scopes', 'store_id', 'secret_hash'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiKey(db: Db, tenantId: string, id: string) {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}
