import { recordAudit } from '../audit/audit.repository.ts';
import { cardOfMember } from '../cards/cards.service.ts';
import { findActiveCardByNumber } from '../cards/cards.repository.ts';
import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { readAppleCredentials, type AppleCredentialsInput, type AppleSecret } from './apple-credentials.ts';
import { applePass } from './apple-pass.ts';
import { readServiceAccountKey, type GoogleSecret } from './google-credentials.ts';
import { googleSaveUrl } from './google-pass.ts';
import type { PassContent } from './pass-content.ts';
import { appleSettingsOf, googleSettingsOf, toWalletSettingsView } from './wallets.mapper.ts';
import { findCardBrand } from '../branding/branding.repository.ts';
import * as repo from './wallets.repository.ts';
import type { WalletProvider } from './wallets.repository.ts';

// Sealed for one tenant and provider: a blob copied to another row does not open.
const sealContext = (tenantId: string, provider: WalletProvider) => `wallet|${tenantId}|${provider}`;
const seal = (masterKey: Buffer, tenantId: string, provider: WalletProvider, secret: GoogleSecret | AppleSecret) =>
  encryptSecret(masterKey, Buffer.from(JSON.stringify(secret)), sealContext(tenantId, provider));
const unseal = <T>(masterKey: Buffer, issuer: { tenant_id: string; provider: WalletProvider; secret_enc: string }): T =>
  JSON.parse(decryptSecret(masterKey, issuer.secret_enc, sealContext(issuer.tenant_id, issuer.provider)).toString('utf8')) as T;

export async function walletSettings(db: Db, principal: Principal) {
  return toWalletSettingsView(await repo.findIssuers(db, principal.tenantId));
}

/** Checks the key file, then stores the issuer; the private key only sealed, and never in the audit log. */
export async function saveGoogleIssuer(db: Db, principal: Principal, masterKey: Buffer, input: { issuerId: string; serviceAccountKey: string }) {
  const { serviceAccountEmail, secret } = await readServiceAccountKey(input.serviceAccountKey);
  const settings = { issuerId: input.issuerId, serviceAccountEmail };
  return saveIssuer(db, principal, 'google', settings, seal(masterKey, principal.tenantId, 'google', secret));
}

/** Checks the certificate, key and WWDR certificate, then stores them sealed; the audit log gets what GET shows. */
export async function saveAppleIssuer(db: Db, principal: Principal, masterKey: Buffer, input: AppleCredentialsInput) {
  const { settings, secret } = readAppleCredentials(input);
  return saveIssuer(db, principal, 'apple', settings, seal(masterKey, principal.tenantId, 'apple', secret));
}

async function saveIssuer(db: Db, principal: Principal, provider: WalletProvider, settings: Record<string, unknown>, secretEnc: string) {
  return inTransaction(db, async (trx) => {
    await repo.upsertIssuer(trx, { tenant_id: principal.tenantId, provider, settings, secret_enc: secretEnc });
    await recordAudit(trx, principal, { action: `settings.wallets.${provider}.updated`, targetType: 'tenant', targetId: principal.tenantId, details: settings });
    return toWalletSettingsView(await repo.findIssuers(trx, principal.tenantId));
  });
}

/** Removing what is not there changes nothing and is not audited. */
export async function removeIssuer(db: Db, principal: Principal, provider: WalletProvider): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (await repo.deleteIssuer(trx, principal.tenantId, provider)) {
      await recordAudit(trx, principal, { action: `settings.wallets.${provider}.removed`, targetType: 'tenant', targetId: principal.tenantId });
    }
  });
}

/**
 * The member, the retailer and the active card, as a pass shows them; null without an active card.
 * Number, code and id come from the same card: a card replaced meanwhile gives null, not a mix.
 */
async function passContent(db: Db, masterKey: Buffer, tenantId: string, memberId: string) {
  const member = await getMember(db, tenantId, memberId);
  const tenant = await getTenant(db, tenantId);
  let printed;
  try {
    printed = await cardOfMember(db, masterKey, tenantId, memberId);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return null;
    throw error;
  }
  const card = await findActiveCardByNumber(db, tenantId, printed.cardNumber);
  if (!card || card.member_id !== memberId) return null;
  const content: PassContent = {
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, locale: tenant.locale, brandPrimary: tenant.brand_primary, brandText: tenant.brand_text },
    member: { name: member.name, tierName: member.tier.name, balance: member.points.balance },
    card: { id: card.id, number: printed.cardNumber, code: printed.code },
  };
  // PGlite returns bytea as a Uint8Array: the pass signer hashes what Buffer.toString('binary') gives.
  const brand = tenant.logo_type === 'image/png' ? await findCardBrand(db, tenantId) : undefined;
  return { content, logoPng: brand?.logo ? Buffer.from(brand.logo) : null };
}

export interface WalletLinkOptions {
  /** KARTU_PUBLIC_URL: the site the links are shown on (Google checks the JWT's origins) and where the public logo lives; Google links need it. */
  origin: string | undefined;
  /** Where this caller downloads the member's .pkpass. */
  passUrl: string;
}

/** Which wallet buttons to show, with their targets: null for a wallet the retailer has not configured. */
export async function walletLinks(db: Db, masterKey: Buffer, tenantId: string, memberId: string, options: WalletLinkOptions) {
  const issuers = await repo.findIssuers(db, tenantId);
  const google = issuers.find((row) => row.provider === 'google');
  const apple = issuers.find((row) => row.provider === 'apple');
  const pass = await passContent(db, masterKey, tenantId, memberId);
  if (!pass) return { google: null, apple: null };
  const logoUrl = `${options.origin}/api/v1/public/tenants/${encodeURIComponent(pass.content.tenant.slug)}/logo`;
  return {
    google: google && options.origin
      ? { saveUrl: await googleSaveUrl(googleSettingsOf(google), unseal<GoogleSecret>(masterKey, google), pass.content, options.origin, logoUrl) }
      : null,
    apple: apple ? { passUrl: options.passUrl } : null,
  };
}

/** The member's signed .pkpass; 404 when the retailer has no Apple certificate or the member no active card. */
export async function memberApplePass(db: Db, masterKey: Buffer, tenantId: string, memberId: string) {
  const pass = await passContent(db, masterKey, tenantId, memberId);
  const issuer = await repo.findIssuer(db, tenantId, 'apple');
  if (!issuer) throw notFound('Apple Wallet pass (the retailer has not set up Apple Wallet)');
  if (!pass) throw notFound('Card');
  return {
    cardNumber: pass.content.card.number,
    body: applePass(appleSettingsOf(issuer), unseal<AppleSecret>(masterKey, issuer), pass.content, pass.logoPng),
  };
}
