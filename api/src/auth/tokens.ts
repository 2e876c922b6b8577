import { randomToken, safeEqual, sha256 } from '../shared/crypto.ts';
import { isUuid } from '../shared/ids.ts';

// Tokens carry their tenant and row id (`<prefix>_<tenant>_<id>_<secret>`), so a look-up is one
// primary-key read and the secret is compared as a hash in constant time.
export type TokenPrefix = 'ks' | 'kk';

export interface ParsedToken {
  tenantId: string;
  id: string;
  secret: string;
}

export function issueToken(prefix: TokenPrefix, tenantId: string, id: string) {
  const secret = randomToken(32);
  return { token: `${prefix}_${tenantId}_${id}_${secret}`, secretHash: sha256(secret) };
}

export function parseToken(prefix: TokenPrefix, token: string | undefined): ParsedToken | null {
  if (!token || !token.startsWith(`${prefix}_`)) return null;
  const [, tenantId, id, ...rest] = token.split('_');
  const secret = rest.join('_');
  if (!tenantId || !id || !secret || !isUuid(tenantId) || !isUuid(id)) return null;
  return { tenantId, id, secret };
}

export const secretMatches = (secret: string, hash: Buffer) => safeEqual(sha256(secret), hash);
