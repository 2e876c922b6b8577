import { importPKCS8, SignJWT } from 'jose';
import type { GoogleSecret } from './google-credentials.ts';
import { groupedNumber, passLabels, type PassContent } from './pass-content.ts';

export interface GoogleIssuer {
  issuerId: string;
  serviceAccountEmail: string;
}

const SAVE_URL = 'https://pay.google.com/gp/v/save/';

/**
 * A "save to Google Wallet" link: a JWT signed with the issuer's service-account key that carries
 * the loyalty class (the retailer's programme) and the member's loyalty object. Google creates
 * both on first save. `origin` is the site the link is shown on; `logoUrl` must be reachable by
 * Google (the public logo endpoint).
 */
export async function googleSaveUrl(issuer: GoogleIssuer, secret: GoogleSecret, content: PassContent, origin: string, logoUrl: string) {
  const { tenant, member, card } = content;
  const labels = passLabels[tenant.locale];
  const classId = `${issuer.issuerId}.kartu_${tenant.id.replaceAll('-', '')}`;
  const loyaltyClass = {
    id: classId,
    issuerName: tenant.name,
    programName: labels.program,
    programLogo: { sourceUri: { uri: logoUrl } },
    hexBackgroundColor: tenant.brandPrimary,
    reviewStatus: 'UNDER_REVIEW',
  };
  const loyaltyObject = {
    id: `${issuer.issuerId}.${card.id}`,
    classId,
    state: 'ACTIVE',
    accountId: card.number,
    accountName: member.name,
    barcode: { type: 'QR_CODE', value: card.code, alternateText: groupedNumber(card.number) },
    loyaltyPoints: { label: labels.points, balance: { int: member.balance } },
  };
  const key = await importPKCS8(secret.privateKey, 'RS256');
  const jwt = await new SignJWT({
    typ: 'savetowallet',
    origins: [origin],
    payload: { loyaltyClasses: [loyaltyClass], loyaltyObjects: [loyaltyObject] },
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(secret.privateKeyId ? { kid: secret.privateKeyId } : {}) })
    .setIssuer(issuer.serviceAccountEmail)
    .setAudience('google')
    .setIssuedAt()
    .sign(key);
  return SAVE_URL + jwt;
}
