import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { consume } from '../http/rate-limits.ts';
import { callerOf } from '../shared/principal.ts';
import { IdParams } from '../http/schemas.ts';
import { WalletLinksSchema, WalletSettingsSchema } from './wallets.mapper.ts';
import { memberApplePass, removeIssuer, saveAppleIssuer, saveGoogleIssuer, walletLinks, walletSettings } from './wallets.service.ts';

const Pem = (what: string) => z.string().trim().min(1).max(20_000).meta({ description: `${what}, PEM` });
const PKPASS = 'application/vnd.apple.pkpass';

const pkpassReply = (pass: { cardNumber: string; body: Buffer }) => ({
  status: 200,
  body: pass.body,
  headers: { 'Content-Type': PKPASS, 'Content-Disposition': `attachment; filename="kartu-${pass.cardNumber}.pkpass"`, 'Cache-Control': 'no-store' },
});


const CARD_PERMISSION_NOTE =
  'Owners, admins and admin API keys (permission `cards.manage`), like card.pdf: a pass carries the printed card’s code, which lets a till obtain a `scanToken` that spends for the member.';

export function walletRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/wallets',
    summary: 'The Google Wallet and Apple Wallet issuers configured (null when not); never a key or certificate',
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'wallets.manage' },
    responses: { 200: { description: 'Wallet issuers', schema: WalletSettingsSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await walletSettings(db, principal) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/settings/wallets/google',
    summary: 'Set up Google Wallet: the issuer id and a service-account key; members then get a "Save to Google Wallet" link',
    description:
      'Owners, admins and admin API keys (permission `wallets.manage`). `serviceAccountKey` is the JSON key file as downloaded from Google Cloud (with `client_email` and an RSA `private_key` of 2048 bits or more), of a service account allowed in the Google Pay & Wallet Console. The private key is stored encrypted and never shown again; replacing the key replaces the issuer. Audit-logged without the key.',
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'wallets.manage' },
    body: z.object({
      issuerId: z.string().trim().regex(/^\d{1,30}$/, 'Digits only: the issuer id from the Google Pay & Wallet Console'),
      serviceAccountKey: z.string().min(2).max(20_000).meta({ description: 'The service-account key file (JSON) as text' }),
    }),
    responses: { 200: { description: 'Wallet issuers', schema: WalletSettingsSchema } },
    handler: async ({ db, deps, principal, body }) => ({ status: 200, body: await saveGoogleIssuer(db, principal, deps.config.secretKey, body) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/settings/wallets/apple',
    summary: 'Set up Apple Wallet: a Pass Type ID certificate with its key and Apple’s WWDR certificate; members then get a .pkpass',
    description:
      'Owners, admins and admin API keys (permission `wallets.manage`). The certificate must not have expired, the key must belong to it (give `privateKeyPassphrase` for an encrypted key) and, where the certificate names them, the pass type identifier (UID) and team (OU) must match. Both certificates must be RSA. Certificate and key are stored encrypted and never shown again. Audit-logged without them.',
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'wallets.manage' },
    body: z.object({
      passTypeIdentifier: z.string().trim().max(255).regex(/^pass(\.[A-Za-z0-9-]+)+$/, 'A Pass Type ID such as pass.com.example.loyalty'),
      teamIdentifier: z.string().trim().regex(/^[A-Z0-9]{10}$/, 'The 10-character Apple team id'),
      certificate: Pem('The Pass Type ID certificate'),
      privateKey: Pem('The certificate’s private key'),
      privateKeyPassphrase: z.string().max(1000).optional(),
      wwdrCertificate: Pem('Apple’s WWDR intermediate certificate'),
    }),
    responses: { 200: { description: 'Wallet issuers', schema: WalletSettingsSchema } },
    handler: async ({ db, deps, principal, body }) => ({ status: 200, body: await saveAppleIssuer(db, principal, deps.config.secretKey, body) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/settings/wallets/{provider}',
    summary: 'Remove a wallet issuer and its stored key; the wallet button disappears for members',
    description: 'Owners, admins and admin API keys (permission `wallets.manage`). Passes already saved stay on phones. Repeating the call changes nothing.',
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'wallets.manage' },
    params: z.object({ provider: z.enum(['google', 'apple']) }),
    responses: { 204: { description: 'Removed, or there was nothing to remove' } },
    handler: async ({ db, principal, params }) => {
      await removeIssuer(db, principal, params.provider);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/wallets',
    summary: 'Which wallet buttons the member app shows, with their links',
    description:
      'A wallet is null when the retailer has not set it up (or the member has no active card): then the app shows no button for it. The Google link needs the server’s public address (`KARTU_PUBLIC_URL`), from which Google fetches the logo; without it `google` is null.',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: { 200: { description: 'Wallet links', schema: WalletLinksSchema } },
    handler: async ({ db, deps, principal }) => ({
      status: 200,
      body: await walletLinks(db, deps.config.secretKey, principal.tenantId, principal.id, { origin: deps.config.publicUrl, passUrl: '/api/v1/me/card.pkpass' }),
      headers: { 'Cache-Control': 'no-store' },
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/me/card.pkpass',
    summary: 'The member’s card as an Apple Wallet pass',
    tags: ['Member app'],
    auth: { principals: ['member'] },
    responses: {
      200: { description: 'The signed pass', schema: z.string().meta({ format: 'binary' }), contentType: PKPASS },
      404: { description: 'Apple Wallet is not set up, or no active card' },
      429: { description: 'More than 10 passes in 10 minutes' },
    },
    handler: async ({ db, deps, principal }) => {
      await consume(deps.limits.passesByCaller, `${principal.tenantId}:${callerOf(principal)}`);
      return pkpassReply(await memberApplePass(db, deps.config.secretKey, principal.tenantId, principal.id));
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/card/wallets',
    summary: 'Wallet links for a member’s card, to hand over at the counter',
    description: `${CARD_PERMISSION_NOTE} A wallet is null when the retailer has not set it up, or the member has no active card.`,
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: IdParams,
    responses: { 200: { description: 'Wallet links', schema: WalletLinksSchema }, 404: { description: 'No such member' } },
    handler: async ({ db, deps, principal, params }) => ({
      status: 200,
      body: await walletLinks(db, deps.config.secretKey, principal.tenantId, params.id, {
        origin: deps.config.publicUrl,
        passUrl: `/api/v1/members/${params.id}/card.pkpass`,
      }),
      headers: { 'Cache-Control': 'no-store' },
    }),
  });

  routes.add({
    method: 'get',
    path: '/api/v1/members/{id}/card.pkpass',
    summary: 'A member’s card as an Apple Wallet pass',
    description: CARD_PERMISSION_NOTE,
    tags: ['Wallets'],
    auth: { principals: ['staff', 'api_key'], permission: 'cards.manage' },
    params: IdParams,
    responses: {
      200: { description: 'The signed pass', schema: z.string().meta({ format: 'binary' }), contentType: PKPASS },
      404: { description: 'No such member, Apple Wallet is not set up, or no active card' },
      429: { description: 'More than 10 passes in 10 minutes from this caller' },
    },
    handler: async ({ db, deps, principal, params }) => {
      await consume(deps.limits.passesByCaller, `${principal.tenantId}:${callerOf(principal)}`);
      return pkpassReply(await memberApplePass(db, deps.config.secretKey, principal.tenantId, params.id));
    },
  });
}
