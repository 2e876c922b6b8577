import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { invalidField } from '../shared/errors.ts';

export interface AppleCredentialsInput {
  passTypeIdentifier: string;
  teamIdentifier: string;
  certificate: string;
  privateKey: string;
  privateKeyPassphrase?: string;
  wwdrCertificate: string;
}

/** What signing a pass needs; sealed at rest. */
export interface AppleSecret {
  certificate: string;
  /** Decrypted and re-encoded as PKCS#1 PEM: the sealing protects it, and the pass signer reads that form. */
  privateKey: string;
  wwdrCertificate: string;
}

export type AppleSettings = {
  passTypeIdentifier: string;
  teamIdentifier: string;
  certificateSubject: string;
  certificateExpiresAt: string;
};

/**
 * Checks an Apple pass certificate before it is stored: the certificate and the WWDR intermediate
 * parse, the WWDR certificate issued the pass certificate, the key (with its passphrase) parses and
 * belongs to the certificate, both are within their validity and, when it names them, the
 * certificate was issued for this pass type and team. Pass signing
 * (PKCS#7 by passkit-generator's node-forge) takes RSA only, so both certificates must be RSA.
 */
export function readAppleCredentials(input: AppleCredentialsInput, now = new Date()): { settings: AppleSettings; secret: AppleSecret } {
  const certificate = parseCertificate(input.certificate, 'body.certificate');
  const wwdr = parseCertificate(input.wwdrCertificate, 'body.wwdrCertificate');
  const key = parsePrivateKey(input.privateKey, input.privateKeyPassphrase);
  if (key.asymmetricKeyType !== 'rsa') throw invalidField('body.privateKey', 'Must be an RSA key');
  if (!certificate.checkPrivateKey(key)) throw invalidField('body.privateKey', 'Does not belong to the certificate');
  const expiresAt = new Date(certificate.validTo);
  if (expiresAt <= now) throw invalidField('body.certificate', `Expired on ${expiresAt.toISOString()}: download a new one from Apple`);
  if (new Date(certificate.validFrom) > now) throw invalidField('body.certificate', 'Not valid yet');
  // A wrong intermediate would be accepted here and every pass silently refused by the phones.
  if (!certificate.checkIssued(wwdr) || !certificate.verify(wwdr.publicKey)) {
    throw invalidField('body.wwdrCertificate', 'Did not issue the pass certificate: use Apple’s WWDR intermediate certificate that signed it');
  }
  if (new Date(wwdr.validTo) <= now) throw invalidField('body.wwdrCertificate', 'Expired: download the current WWDR certificate from Apple');

  const subject = subjectFields(certificate);
  if (subject.UID && subject.UID !== input.passTypeIdentifier) {
    throw invalidField('body.passTypeIdentifier', `The certificate was issued for ${subject.UID}`);
  }
  if (subject.OU && subject.OU !== input.teamIdentifier) {
    throw invalidField('body.teamIdentifier', `The certificate was issued to team ${subject.OU}`);
  }
  return {
    settings: {
      passTypeIdentifier: input.passTypeIdentifier,
      teamIdentifier: input.teamIdentifier,
      certificateSubject: certificate.subject.split('\n').join(', '),
      certificateExpiresAt: expiresAt.toISOString(),
    },
    secret: {
      certificate: certificate.toString(),
      privateKey: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
      wwdrCertificate: wwdr.toString(),
    },
  };
}

function parseCertificate(pem: string, field: string): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw invalidField(field, 'Not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') throw invalidField(field, 'Must be an RSA certificate');
  return certificate;
}

function parsePrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(pem);
    if ((error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE' || (encrypted && !passphrase)) {
      throw invalidField('body.privateKeyPassphrase', 'Required: the private key is encrypted');
    }
    if (encrypted) throw invalidField('body.privateKeyPassphrase', 'Does not decrypt the private key');
    throw invalidField('body.privateKey', 'Not a PEM private key');
  }
}

/** The certificate subject's single-valued attributes (UID, OU, CN...). */
function subjectFields(certificate: X509Certificate): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of certificate.subject.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}
