import QRCode from 'qrcode';
import type { Db } from '../deps.ts';
import { getMember } from '../members/members.service.ts';
import type { Principal } from '../shared/principal.ts';
import { cardOfMember } from './cards.service.ts';

/**
 * The member's active card's signed code (what the printed card carries) as an SVG QR, error
 * correction M with the standard 4-module quiet zone. No member in the tenant, or no active card
 * (none, blocked): 404.
 */
export async function memberCardQrSvg(db: Db, principal: Principal, masterKey: Buffer, memberId: string): Promise<string> {
  const member = await getMember(db, principal.tenantId, memberId);
  const card = await cardOfMember(db, masterKey, principal.tenantId, member.id);
  return QRCode.toString(card.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
