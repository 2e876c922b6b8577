import { hmac } from '../shared/crypto.ts';

/**
 * A phone number kept only as a keyed hash: enough to recognise it again (one welcome or referral
 * reward per phone, ever; a member's former numbers) without keeping the number of someone erased.
 */
export const phoneHash = (secretKey: Buffer, tenantId: string, phone: string): Buffer => hmac(secretKey, `phone|${tenantId}|${phone}`);
