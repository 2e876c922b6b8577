import { createPrivateKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import { invalidField } from '../shared/errors.ts';

/** What signing a Google Wallet save link needs; sealed at rest. */
export interface GoogleSecret {
  privateKey: string;
  privateKeyId: string | null;
}

const FIELD = 'body.serviceAccountKey';
// Google refuses RS256 keys shorter than this, and so does jose when signing.
const MIN_MODULUS_BITS = 2048;

/**
 * Reads a service-account key file as downloaded from Google Cloud (JSON with client_email and a
 * PKCS#8 private_key). Anything else is a 400 naming the field, with what is wrong in the message.
 */
export async function readServiceAccountKey(json: string): Promise<{ serviceAccountEmail: string; secret: GoogleSecret }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalidField(FIELD, 'Not valid JSON: paste the whole key file downloaded from Google Cloud');
  }
  const file = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const email = file.client_email;
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 200) {
    throw invalidField(FIELD, 'client_email is missing: this is not a service-account key file');
  }
  const privateKey = file.private_key;
  if (typeof privateKey !== 'string' || !(await isRsaPkcs8(privateKey))) {
    throw invalidField(FIELD, `private_key must be an RSA private key (PKCS#8 PEM) of at least ${MIN_MODULUS_BITS} bits`);
  }
  const privateKeyId = typeof file.private_key_id === 'string' && /^[\w-]{1,100}$/.test(file.private_key_id) ? file.private_key_id : null;
  return { serviceAccountEmail: email, secret: { privateKey, privateKeyId } };
}

async function isRsaPkcs8(pem: string): Promise<boolean> {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_MODULUS_BITS) return false;
    await importPKCS8(pem, 'RS256');
    return true;
  } catch {
    return false;
  }
}
