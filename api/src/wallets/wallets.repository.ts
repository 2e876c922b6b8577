import { sql } from 'kysely';
import type { Db } from '../deps.ts';

export type WalletProvider = 'google' | 'apple';

export function findIssuers(db: Db, tenantId: string) {
  return db.selectFrom('wallet_issuers').selectAll().where('tenant_id', '=', tenantId).execute();
}

export type WalletIssuerRow = Awaited<ReturnType<typeof findIssuers>>[number];

export function findIssuer(db: Db, tenantId: string, provider: WalletProvider) {
  return db.selectFrom('wallet_issuers').selectAll().where('tenant_id', '=', tenantId).where('provider', '=', provider).executeTakeFirst();
}

export async function upsertIssuer(
  db: Db,
  row: { tenant_id: string; provider: WalletProvider; settings: Record<string, unknown>; secret_enc: string },
): Promise<void> {
  const settings = JSON.stringify(row.settings);
  await db
    .insertInto('wallet_issuers')
    .values({ ...row, settings })
    .onConflict((oc) => oc.columns(['tenant_id', 'provider']).doUpdateSet({ settings, secret_enc: row.secret_enc, updated_at: sql`now()` }))
    .execute();
}

/** True when there was something to delete. */
export async function deleteIssuer(db: Db, tenantId: string, provider: WalletProvider): Promise<boolean> {
  const deleted = await db.deleteFrom('wallet_issuers').where('tenant_id', '=', tenantId).where('provider', '=', provider).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
