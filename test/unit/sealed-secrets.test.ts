import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '../../api/src/shared/crypto.ts';

describe('sealed secrets', () => {
  it('open under the same key and context', () => {
    const key = randomBytes(32);
    const secret = randomBytes(32);
    const sealed = encryptSecret(key, secret, 'card-key|t1|abcd');
    expect(sealed.startsWith('v2.')).toBe(true);
    expect(decryptSecret(key, sealed, 'card-key|t1|abcd').equals(secret)).toBe(true);
  });

  it('do not open under another context (a sealed value copied to another tenant or row) or another key', () => {
    const key = randomBytes(32);
    const sealed = encryptSecret(key, randomBytes(32), 'rotating|t1|card-1');
    expect(() => decryptSecret(key, sealed, 'rotating|t2|card-1')).toThrow();
    expect(() => decryptSecret(key, sealed, 'rotating|t1|card-2')).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed, 'rotating|t1|card-1')).toThrow();
  });

  it('still open values sealed without a context by earlier builds (v1)', () => {
    const key = randomBytes(32);
    const secret = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(secret), cipher.final()]);
    const v1 = ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    expect(decryptSecret(key, v1, 'anything').equals(secret)).toBe(true);
  });

  it('refuse a shortened authentication tag (GCM would otherwise accept a 4-byte tag)', () => {
    const key = randomBytes(32);
    const [version, iv, body, tag] = encryptSecret(key, randomBytes(32), 'c').split('.');
    const short = [version, iv, body, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url')].join('.');
    expect(() => decryptSecret(key, short, 'c')).toThrow('unknown sealed secret format');
  });

  it('refuse an unknown format', () => {
    expect(() => decryptSecret(randomBytes(32), 'v3.a.b.c', 'x')).toThrow('unknown sealed secret format');
  });
});
