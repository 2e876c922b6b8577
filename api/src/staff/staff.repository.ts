import { sql } from 'kysely';
import type { StaffRole } from '@kartu/db';
import type { Db } from '../deps.ts';

export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('staff').select('id').where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  return Boolean(row);
}

export async function insertStaff(
  db: Db,
  row: { tenant_id: string; id: string; email: string; name: string; role: StaffRole; password_hash: string; store_id: string | null },
) {
  await db.insertInto('staff').values(row).execute();
}

export function findStaff(db: Db, tenantId: string, id: string) {
  return db
    .selectFrom('staff')
    .select(['id', 'tenant_id', 'email', 'name', 'role', 'store_id', 'active', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listStaff(db: Db, tenantId: string) {
  return db
    .selectFrom('staff')
    .select(['id', 'tenant_id', 'email', 'name', 'role', 'store_id', 'active', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
}
