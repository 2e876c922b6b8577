import { recordAudit } from '../audit/audit.repository.ts';
import { issueToken } from '../auth/tokens.ts';
import type { Db } from '../deps.ts';
import { newId } from '../shared/ids.ts';
import type { ApiKeyScope, Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { requireStore } from '../stores/stores.service.ts';

export async function createApiKey(db: Db, principal: Principal, input: { name: string; scopes: ApiKeyScope[]; storeId?: string }) {
  return inTransaction(db, async (trx) => {
    if (input.storeId) await requireStore(trx, principal.tenantId, input.storeId, 'body.storeId');
    const id = newId();
    const { token, secretHash } = issueToken('kk', principal.tenantId, id);
    await trx
      .insertInto('api_keys')
      .values({
        tenant_id: principal.tenantId, id, name: input.name, scopes: [...new Set(input.scopes)], store_id: input.storeId ?? null,
        secret_hash: secretHash, created_by: principal.id,
      })
      .execute();
    await recordAudit(trx, principal, { action: 'api_key.created', targetType: 'api_key', targetId: id, details: { name: input.name, scopes: input.scopes, storeId: input.storeId ?? null } });
    return { id, key: token };
  });
}
