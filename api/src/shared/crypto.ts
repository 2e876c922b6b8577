import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256 = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();

export const hmac = (key: Buffer, value: string): Buffer => createHmac('sha256', key).update(value).digest();

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export const randomToken = (bytes = 24): string => randomBytes(bytes).toString('base64url');

/**
 * AES-256-GCM with the server's KARTU_SECRET_KEY, for secrets kept at rest (card-signing keys,
 * rotating-code secrets, wallet credentials). `context` names what the secret belongs to (for
 * example `card-key|<tenant>|<kid>`) and is bound in as associated data, so a sealed value copied
 * to another row or tenant does not open there.
 */
export function encryptSecret(masterKey: Buffer, plain: Buffer, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return ['v2', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** Opens what encryptSecret sealed under the same context. 'v1' values (sealed without a context by earlier builds) still open. */
export function decryptSecret(masterKey: Buffer, sealed: string, context: string): Buffer {
  const [version, iv, body, tag] = sealed.split('.');
  const ivBytes = Buffer.from(iv ?? '', 'base64url');
  const tagBytes = Buffer.from(tag ?? '', 'base64url');
  if ((version !== 'v1' && version !== 'v2') || ivBytes.length !== 12 || !body || tagBytes.length !== 16) throw new Error('unknown sealed secret format');
  const decipher = createDecipheriv('aes-256-gcm', masterKey, ivBytes, { authTagLength: 16 });
  if (version === 'v2') decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tagBytes);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/** A stable hash of a parsed request: object keys sorted, so field order does not matter. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
