import type { Updateable } from 'kysely';
import type { StoreTable } from '@kartu/db';
import type { Db } from '../deps.ts';

export function findStore(db: Db, tenantId: string, id: string) {
  return db.selectFrom('stores').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function listStores(db: Db, tenantId: string, filter: { active?: boolean }) {
  let query = db.selectFrom('stores').selectAll().where('tenant_id', '=', tenantId);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  return query.orderBy('code').execute();
}

export function lockStores(db: Db, tenantId: string) {
  return db.selectFrom('stores').selectAll().where('tenant_id', '=', tenantId).orderBy('id').forUpdate().execute();
}

export async function storeCodeTaken(db: Db, tenantId: string, code: string) {
  return Boolean(await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('code', '=', code).executeTakeFirst());
}

export async function insertStore(db: Db, row: { tenant_id: string; id: string; code: string; name: string; region: string | null; time_zone: string }) {
  await db.insertInto('stores').values(row).execute();
}

export async function updateStore(db: Db, tenantId: string, id: string, changes: Updateable<StoreTable>) {
  await db.updateTable('stores').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
