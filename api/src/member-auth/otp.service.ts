import type { AppDeps } from '../deps.ts';
import { openSession } from '../auth/auth.service.ts';
import { consume as consumeLimit } from '../http/rate-limits.ts';
import { findMemberByPhone, markPhoneVerified } from '../members/members.repository.ts';
import { requirePhone, welcomeMember } from '../members/members.service.ts';
import { DomainError } from '../shared/errors.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getPublicTenant, getTenant } from '../tenants/tenants.service.ts';
import { checkCode, consumeCode, OTP_SECONDS, sendCode } from './otp-codes.ts';

/**
 * Sends a 6-digit code to a phone. To sign in (`sign_in`) only a member's phone gets one; the
 * answer is the same either way, so the endpoint does not reveal who is a member. To join
 * (`sign_up`) any valid phone gets one; a member's code signs them in as well.
 */
export async function requestCode(deps: AppDeps, input: { slug: string; phone: string; intent?: 'sign_in' | 'sign_up' }, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  await consumeLimit(deps.limits.otpSendByIp, ip);
  await consumeLimit(deps.limits.otpSendByPhone, `${tenant.id}:${phone}`);
  const member = await findMemberByPhone(deps.db, tenant.id, phone);
  const joining = input.intent === 'sign_up' && !member;
  if (joining) await consumeLimit(deps.limits.otpSignupByTenant, tenant.id);
  if (member?.status === 'active' || joining) {
    const en = tenant.locale === 'en';
    await sendCode(deps.db, deps, tenant, phone, (code) => joining
      ? en ? `${code} is your code to join ${tenant.name}. It expires in 5 minutes. Never share it.`
        : `${code} adalah kode pendaftaran ${tenant.name} Anda. Berlaku 5 menit. Jangan berikan kepada siapa pun.`
      : en ? `${code} is your ${tenant.name} sign-in code. It expires in 5 minutes. Never share it.`
        : `${code} adalah kode masuk ${tenant.name} Anda. Berlaku 5 menit. Jangan berikan kepada siapa pun.`);
  }
  return { expiresInSeconds: OTP_SECONDS };
}

export async function verifyCode(deps: AppDeps, input: { slug: string; phone: string; code: string }, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  const codeId = await checkCode(deps.db, deps, tenant.id, phone, input.code, ip);
  return inTransaction(deps.db, async (trx) => {
    const member = await findMemberByPhone(trx, tenant.id, phone);
    if (!member || member.status !== 'active') throw new DomainError('invalid_code', 'The code expired or has no tries left; ask for a new one', { triesLeft: 0 });
    await consumeCode(trx, tenant.id, codeId);
    await firstProof(deps, trx, tenant.id, member.id);
    const session = await openSession(trx, tenant.id, 'member', member.id);
    return { tenantId: tenant.id, memberId: member.id, session };
  });
}

/** The first time a member proves their phone (a member a till enrolled), the welcome bonus follows. */
export async function firstProof(deps: AppDeps, trx: AppDeps['db'], tenantId: string, memberId: string) {
  const phone = await markPhoneVerified(trx, tenantId, memberId);
  if (phone) await welcomeMember(trx, await getTenant(trx, tenantId), memberId, phone, deps.config.secretKey);
}
