import { sql, type Updateable } from 'kysely';
import type { ProductTable } from '@kartu/db';
import type { Db } from '../deps.ts';

export interface ProductValues {
  sku: string;
  name: string;
  category: string | null;
  unit_price: number | null;
  active: boolean;
}

const likePrefix = (text: string) => `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function findProduct(db: Db, tenantId: string, id: string) {
  return db.selectFrom('products').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export function findProductBySku(db: Db, tenantId: string, sku: string) {
  return db.selectFrom('products').selectAll().where('tenant_id', '=', tenantId).where(sql`lower(sku)`, '=', sku.toLowerCase()).executeTakeFirst();
}

export function lockProduct(db: Db, tenantId: string, id: string) {
  return db.selectFrom('products').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** SKU or name prefix, ordered by name; the cursor is the id of the last product shown. */
export function searchProducts(db: Db, tenantId: string, filter: { query?: string; active?: boolean }, limit: number, afterId?: string) {
  let query = db.selectFrom('products').selectAll().where('tenant_id', '=', tenantId).orderBy(sql`lower(name)`).orderBy('id').limit(limit + 1);
  if (filter.query) {
    const prefix = likePrefix(filter.query);
    query = query.where((eb) => eb.or([eb(sql`lower(sku)`, 'like', prefix), eb(sql`lower(name)`, 'like', prefix)]));
  }
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  if (afterId) {
    query = query.where(
      (eb) => eb(sql`(lower(name), id)`, '>', sql`(select lower(name), id from products where tenant_id = ${tenantId} and id = ${afterId})`),
    );
  }
  return query.execute();
}

/** Insert or update by SKU (case-insensitively); `inserted` tells which happened. */
export function upsertProducts(db: Db, tenantId: string, rows: (ProductValues & { id: string })[]) {
  return db
    .insertInto('products')
    .values(rows.map((row) => ({ ...row, tenant_id: tenantId })))
    .onConflict((oc) =>
      oc.expression(sql`tenant_id, lower(sku)`).doUpdateSet((eb) => ({
        sku: eb.ref('excluded.sku'),
        name: eb.ref('excluded.name'),
        category: eb.ref('excluded.category'),
        unit_price: eb.ref('excluded.unit_price'),
        active: eb.ref('excluded.active'),
        updated_at: sql`now()`,
      })),
    )
    .returningAll()
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
}

export async function updateProduct(db: Db, tenantId: string, id: string, changes: Updateable<ProductTable>) {
  await db.updateTable('products').set({ ...changes, updated_at: sql`now()` }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
