import { randomInt } from 'node:crypto';
import type { AppDeps, Db } from '../deps.ts';
import { openSession } from '../auth/auth.service.ts';
import { assertUnder, consume as consumeLimit } from '../http/rate-limits.ts';
import { findMemberByPhone, markPhoneVerified } from '../members/members.repository.ts';
import { requirePhone } from '../members/members.service.ts';
import { enqueueMessage } from '../outbox/outbox.service.ts';
import { hmac, safeEqual } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getPublicTenant } from '../tenants/tenants.service.ts';
import * as repo from './otp.repository.ts';

export const OTP_SECONDS = 5 * 60;
export const OTP_MAX_TRIES = 5;

// Six digits are few, so the stored hash is keyed with the server secret: a leaked table is no list of codes.
const codeHash = (key: Buffer, tenantId: string, phone: string, code: string) => hmac(key, `otp|${tenantId}|${phone}|${code}`);

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
  if (member?.status === 'active' || joining) {
    const en = tenant.locale === 'en';
    await sendCode(deps, tenant, phone, (code) => joining
      ? en ? `${code} is your code to join ${tenant.name}. It expires in 5 minutes. Never share it.`
        : `${code} adalah kode pendaftaran ${tenant.name} Anda. Berlaku 5 menit. Jangan berikan kepada siapa pun.`
      : en ? `${code} is your ${tenant.name} sign-in code. It expires in 5 minutes. Never share it.`
        : `${code} adalah kode masuk ${tenant.name} Anda. Berlaku 5 menit. Jangan berikan kepada siapa pun.`);
  }
  return { expiresInSeconds: OTP_SECONDS };
}

/** A fresh code for `phone`, replacing older live ones, sent through the outbox. */
export async function sendCode(deps: AppDeps, tenant: { id: string; slug: string }, phone: string, message: (code: string) => string) {
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  await inTransaction(deps.db, async (trx) => {
    await repo.retireLiveCodes(trx, tenant.id, phone);
    await repo.insertCode(trx, {
      tenant_id: tenant.id, id: newId(), phone, code_hash: codeHash(deps.config.secretKey, tenant.id, phone, code),
      expires_at: new Date(Date.now() + OTP_SECONDS * 1000),
    });
    await enqueueMessage(trx, { tenantId: tenant.id, channel: 'sms', recipient: phone, purpose: 'otp', body: message(code), secret: code });
  });
  if (deps.config.demo) deps.log.info({ tenant: tenant.slug, phone, code }, `demo one-time code for ${phone}: ${code}`);
}

/**
 * Spends one try of the phone's live code and checks it (the try counts even when this call
 * fails); returns the code's id for `consumeCode`, in the transaction that acts on it.
 */
export async function checkCode(deps: AppDeps, tenantId: string, phone: string, code: string, ip: string): Promise<string> {
  await consumeLimit(deps.limits.otpVerifyByIp, ip);
  const phoneKey = `${tenantId}:${phone}`;
  await assertUnder(deps.limits.otpFailuresByPhone, phoneKey);
  const attempt = await repo.takeTry(deps.db, tenantId, phone, OTP_MAX_TRIES);
  const expected = codeHash(deps.config.secretKey, tenantId, phone, code);
  if (!attempt || !safeEqual(attempt.code_hash, expected)) {
    await consumeLimit(deps.limits.otpFailuresByPhone, phoneKey).catch(() => undefined);
    const triesLeft = attempt ? OTP_MAX_TRIES - attempt.attempts : 0;
    throw new DomainError('invalid_code', triesLeft > 0 ? `Wrong code; ${triesLeft} tries left` : expiredMessage, { triesLeft });
  }
  return attempt.id;
}

/** Uses the checked code up; a code used meanwhile (a concurrent request) is refused. */
export async function consumeCode(trx: Db, tenantId: string, codeId: string) {
  if (!(await repo.consume(trx, tenantId, codeId))) throw new DomainError('invalid_code', expiredMessage, { triesLeft: 0 });
}

export async function verifyCode(deps: AppDeps, input: { slug: string; phone: string; code: string }, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  const codeId = await checkCode(deps, tenant.id, phone, input.code, ip);
  return inTransaction(deps.db, async (trx) => {
    const member = await findMemberByPhone(trx, tenant.id, phone);
    if (!member || member.status !== 'active') throw new DomainError('invalid_code', expiredMessage, { triesLeft: 0 });
    await consumeCode(trx, tenant.id, codeId);
    await markPhoneVerified(trx, tenant.id, member.id);
    const session = await openSession(trx, tenant.id, 'member', member.id);
    return { tenantId: tenant.id, memberId: member.id, session };
  });
}

const expiredMessage = 'The code expired or has no tries left; ask for a new one';
