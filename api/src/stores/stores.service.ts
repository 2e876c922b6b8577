import { recordAudit } from '../audit/audit.repository.ts';
import type { Db } from '../deps.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as repo from './stores.repository.ts';

/** A store named for history (a filter, an old sale): inactive stores count. */
export async function requireKnownStore(db: Db, tenantId: string, storeId: string, field: string) {
  const store = await repo.findStore(db, tenantId, storeId);
  if (!store) throw invalidField(field, 'No such store');
  return store;
}

/** A store something new happens at (a sale, a scan, a redemption, a binding): it must be active. */
export async function requireStore(db: Db, tenantId: string, storeId: string, field: string) {
  const store = await requireKnownStore(db, tenantId, storeId, field);
  if (!store.active) throw new DomainError('store_inactive', `Store ${store.code} is inactive`, { storeId });
  return store;
}

/** The store a POS call acts at: a store-bound key or cashier may not act for another store. */
export function effectiveStoreId(principal: Principal, requested: string | undefined): string | null {
  const bound = principal.kind === 'member' ? null : principal.storeId;
  if (bound && requested && requested !== bound) {
    throw new DomainError('forbidden', 'This key or staff member is bound to another store');
  }
  return requested ?? bound ?? null;
}

/** A caller bound to a store (a till's key, a store's staff) may see and act on that store's sales and feedback only. */
export function assertOfCallersStore(principal: Principal, storeId: string | null, what: 'sale' | 'feedback'): void {
  const bound = principal.kind === 'member' ? null : principal.storeId;
  if (bound && storeId !== bound) throw new DomainError('forbidden', `This ${what} is not of your store`);
}

export async function createStore(db: Db, principal: Principal, input: { code: string; name: string; region?: string; timeZone?: string }) {
  return inTransaction(db, async (trx) => {
    if (await repo.storeCodeTaken(trx, principal.tenantId, input.code)) {
      throw new DomainError('store_code_taken', `Store code ${input.code} is in use`, {}, [{ path: 'body.code', message: 'Taken' }]);
    }
    const tenant = await getTenant(trx, principal.tenantId);
    const id = newId();
    await repo.insertStore(trx, {
      tenant_id: principal.tenantId, id, code: input.code, name: input.name, region: input.region ?? null, time_zone: input.timeZone ?? tenant.time_zone,
    });
    await recordAudit(trx, principal, { action: 'store.created', targetType: 'store', targetId: id, details: input });
    return (await repo.findStore(trx, principal.tenantId, id))!;
  });
}

export const listStores = (db: Db, principal: Principal, filter: { active?: boolean } = {}) => repo.listStores(db, principal.tenantId, filter);

export interface StoreChanges {
  name?: string;
  region?: string | null;
  timeZone?: string;
  active?: boolean;
}

/**
 * The code stays: receipts, API keys and integrations refer to the store by it. Deactivating keeps
 * the store's history and refunds of its sales; the retailer keeps at least one active store.
 */
export async function updateStore(db: Db, principal: Principal, id: string, changes: StoreChanges) {
  return inTransaction(db, async (trx) => {
    // All the tenant's stores, locked in one order: two deactivations cannot both take the last active one.
    const stores = await repo.lockStores(trx, principal.tenantId);
    const before = stores.find((s) => s.id === id);
    if (!before) throw notFound('Store');
    if (changes.active !== undefined && changes.active !== before.active) {
      if (!changes.active && !stores.some((s) => s.active && s.id !== id)) {
        throw new DomainError('last_active_store', 'This is the last active store: activate or add another store first');
      }
      await repo.updateStore(trx, principal.tenantId, id, { active: changes.active });
      await recordAudit(trx, principal, { action: changes.active ? 'store.activated' : 'store.deactivated', targetType: 'store', targetId: id, details: { code: before.code } });
    }
    const after = {
      name: changes.name ?? before.name,
      region: changes.region === undefined ? before.region : changes.region || null,
      time_zone: changes.timeZone ?? before.time_zone,
    };
    const changed = Object.fromEntries(
      (['name', 'region', 'time_zone'] as const)
        .filter((column) => after[column] !== before[column])
        .map((column) => [column === 'time_zone' ? 'timeZone' : column, { from: before[column], to: after[column] }]),
    );
    if (Object.keys(changed).length) {
      await repo.updateStore(trx, principal.tenantId, id, after);
      await recordAudit(trx, principal, { action: 'store.updated', targetType: 'store', targetId: id, details: { code: before.code, changes: changed } });
    }
    return (await repo.findStore(trx, principal.tenantId, id))!;
  });
}
