import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import * as repo from './products.repository.ts';

export interface ProductInput {
  sku: string;
  name: string;
  category?: string | null;
  unitPrice?: number | null;
  /** Omitted: active (a product someone sends is one they sell). */
  active?: boolean;
}

const valuesOf = (input: ProductInput): repo.ProductValues => ({
  sku: input.sku,
  name: input.name,
  category: input.category || null,
  unit_price: input.unitPrice ?? null,
  active: input.active ?? true,
});

export async function listProducts(db: Db, principal: Principal, filter: { query?: string; active?: boolean }, limit: number, cursor?: string) {
  const rows = await repo.searchProducts(db, principal.tenantId, filter, limit, cursor);
  const { page, nextCursor } = pageOf(rows, limit);
  return { items: page, nextCursor };
}

export async function productBySku(db: Db, principal: Principal, sku: string) {
  const product = await repo.findProductBySku(db, principal.tenantId, sku);
  if (!product) throw notFound('Product');
  return product;
}

/** One product, matched by SKU regardless of case: created, or replaced with what was sent. */
export async function upsertProduct(db: Db, principal: Principal, input: ProductInput) {
  return inTransaction(db, async (trx) => {
    const [{ inserted, ...product }] = await repo.upsertProducts(trx, principal.tenantId, [{ id: newId(), ...valuesOf(input) }]);
    await recordAudit(trx, principal, { action: inserted ? 'product.created' : 'product.updated', targetType: 'product', targetId: product.id, details: { ...input } });
    return { product, created: inserted };
  });
}

export interface ProductChanges {
  sku?: string;
  name?: string;
  category?: string | null;
  unitPrice?: number | null;
  active?: boolean;
}

export async function updateProduct(db: Db, principal: Principal, id: string, changes: ProductChanges) {
  return inTransaction(db, async (trx) => {
    const before = await repo.lockProduct(trx, principal.tenantId, id);
    if (!before) throw notFound('Product');
    if (changes.sku !== undefined && changes.sku.toLowerCase() !== before.sku.toLowerCase()) {
      const holder = await repo.findProductBySku(trx, principal.tenantId, changes.sku);
      if (holder) throw new DomainError('product_sku_taken', `SKU ${changes.sku} belongs to another product`, {}, [{ path: 'body.sku', message: 'Taken' }]);
    }
    const after = {
      sku: changes.sku ?? before.sku,
      name: changes.name ?? before.name,
      category: changes.category === undefined ? before.category : changes.category || null,
      unit_price: changes.unitPrice === undefined ? before.unit_price : changes.unitPrice,
      active: changes.active ?? before.active,
    };
    const changed = Object.fromEntries(
      (Object.keys(after) as (keyof typeof after)[])
        .filter((column) => after[column] !== before[column])
        .map((column) => [column, { from: before[column], to: after[column] }]),
    );
    if (Object.keys(changed).length) {
      await repo.updateProduct(trx, principal.tenantId, id, after);
      await recordAudit(trx, principal, { action: 'product.updated', targetType: 'product', targetId: id, details: { sku: before.sku, changes: changed } });
    }
    return (await repo.findProduct(trx, principal.tenantId, id))!;
  });
}

/** A POS's catalogue sync: every item upserted by SKU in one transaction, or none when one is wrong. */
export async function syncProducts(db: Db, principal: Principal, items: ProductInput[]) {
  const firstIndexOf = new Map<string, number>();
  items.forEach((item, index) => {
    const key = item.sku.toLowerCase();
    const first = firstIndexOf.get(key);
    if (first !== undefined) {
      throw new DomainError('validation', `Items ${first} and ${index} have the same SKU`, {}, [{ path: `body.items.${index}.sku`, message: `Same SKU as item ${first}` }]);
    }
    firstIndexOf.set(key, index);
  });
  return inTransaction(db, async (trx) => {
    const rows = await repo.upsertProducts(trx, principal.tenantId, items.map((item) => ({ id: newId(), ...valuesOf(item) })));
    const created = rows.filter((row) => row.inserted).length;
    const result = { created, updated: rows.length - created };
    await recordAudit(trx, principal, { action: 'products.synced', targetType: 'product', details: result });
    return result;
  });
}
