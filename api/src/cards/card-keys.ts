import { randomBytes } from 'node:crypto';
import type { Db } from '../deps.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { newKid } from './card-code.ts';

// Card-signing keys are sealed with KARTU_SECRET_KEY at rest; decrypted keys are cached per process.
const cache = new Map<string, Buffer>();

const cardKeyContext = (tenantId: string, kid: string) => `card-key|${tenantId}|${kid}`;

export async function createCardKey(db: Db, masterKey: Buffer, tenantId: string): Promise<string> {
  const kid = newKid(randomBytes(2));
  await db
    .insertInto('card_keys')
    .values({ tenant_id: tenantId, kid, secret_enc: encryptSecret(masterKey, randomBytes(32), cardKeyContext(tenantId, kid)) })
    .execute();
  return kid;
}

export async function currentCardKid(db: Db, tenantId: string): Promise<string> {
  const row = await db
    .selectFrom('card_keys')
    .select('kid')
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return row.kid;
}

export async function cardKey(db: Db, masterKey: Buffer, tenantId: string, kid: string): Promise<Buffer | null> {
  const cacheKey = `${tenantId}/${kid}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const row = await db
    .selectFrom('card_keys')
    .select('secret_enc')
    .where('tenant_id', '=', tenantId)
    .where('kid', '=', kid)
    .executeTakeFirst();
  if (!row) return null;
  const key = decryptSecret(masterKey, row.secret_enc, cardKeyContext(tenantId, kid));
  cache.set(cacheKey, key);
  return key;
}
