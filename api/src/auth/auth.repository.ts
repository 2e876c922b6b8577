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

/** A live staff session with its staff member, who must still be active: one round trip per request. */
export function findLiveStaffSession(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('staff as st', (j) => j.onRef('st.tenant_id', '=', 's.tenant_id').onRef('st.id', '=', 's.principal_id'))
    .select(['s.secret_hash', 'st.id', 'st.role', 'st.store_id', 'st.must_change_password'])
    .where('s.tenant_id', '=', tenantId)
    .where('s.id', '=', id)
    .where('s.principal_kind', '=', 'staff')
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('st.active', '=', true)
    .executeTakeFirst();
}

/** A live member session whose member is still active. */
export function findLiveMemberSession(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('members as m', (j) => j.onRef('m.tenant_id', '=', 's.tenant_id').onRef('m.id', '=', 's.principal_id'))
    .select(['s.secret_hash', 'm.id'])
    .where('s.tenant_id', '=', tenantId)
    .where('s.id', '=', id)
    .where('s.principal_kind', '=', 'member')
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('m.status', '=', 'active')
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
