import { recordAudit } from '../audit/audit.repository.ts';
import { issueToken } from '../auth/tokens.ts';
import type { Db } from '../deps.ts';
import { notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { pageOf } from '../shared/page.ts';
import type { ApiKeyScope, Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { requireStore } from '../stores/stores.service.ts';
import * as repo from './api-keys.repository.ts';

export async function createApiKey(db: Db, principal: Principal, input: { name: string; scopes: ApiKeyScope[]; storeId?: string }) {
  return inTransaction(db, async (trx) => {
    if (input.storeId) await requireStore(trx, principal.tenantId, input.storeId, 'body.storeId');
    const id = newId();
    const { token, secretHash } = issueToken('kk', principal.tenantId, id);
    await repo.insertApiKey(trx, {
      tenant_id: principal.tenantId, id, name: input.name, scopes: [...new Set(input.scopes)], store_id: input.storeId ?? null,
      secret_hash: secretHash, created_by: principal.id,
    });
    await recordAudit(trx, principal, { action: 'api_key.created', targetType: 'api_key', targetId: id, details: { name: input.name, scopes: input.scopes, storeId: input.storeId ?? null } });
    return { id, key: token };
  });
}

export async function listApiKeys(db: Db, principal: Principal, filter: { revoked?: boolean; limit: number; cursor?: string }) {
  return pageOf(await repo.listApiKeys(db, principal.tenantId, filter, filter.limit, filter.cursor), filter.limit);
}

/** Revoking twice is harmless: the key stays revoked as of the first time, and only that is audit-logged. */
export async function revokeApiKey(db: Db, principal: Principal, id: string) {
  return inTransaction(db, async (trx) => {
    const key = await repo.findApiKey(trx, principal.tenantId, id);
    if (!key) throw notFound('API key');
    if (await repo.revokeApiKey(trx, principal.tenantId, id)) {
      await recordAudit(trx, principal, { action: 'api_key.revoked', targetType: 'api_key', targetId: id, details: { name: key.name } });
    }
    return (await repo.findApiKey(trx, principal.tenantId, id))!;
  });
}
