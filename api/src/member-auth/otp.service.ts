import { randomInt } from 'node:crypto';
import type { AppDeps } from '../deps.ts';
import { openSession } from '../auth/auth.service.ts';
import { assertUnder, consume as consumeLimit } from '../http/rate-limits.ts';
import { findMemberByPhone } from '../members/members.repository.ts';
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
 * Sends a sign-in code to a member's phone. Answers the same whether or not the phone is a member,
 * so the endpoint does not reveal who is.
 */
export async function requestCode(deps: AppDeps, input: { slug: string; phone: string }, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  await consumeLimit(deps.limits.otpSendByIp, ip);
  await consumeLimit(deps.limits.otpSendByPhone, `${tenant.id}:${phone}`);
  const member = await findMemberByPhone(deps.db, tenant.id, phone);
  if (member?.status === 'active') {
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    await inTransaction(deps.db, async (trx) => {
      await repo.retireLiveCodes(trx, tenant.id, phone);
      await repo.insertCode(trx, {
        tenant_id: tenant.id, id: newId(), phone, code_hash: codeHash(deps.config.secretKey, tenant.id, phone, code),
        expires_at: new Date(Date.now() + OTP_SECONDS * 1000),
      });
      const body = tenant.locale === 'en'
        ? `${code} is your ${tenant.name} sign-in code. It expires in 5 minutes. Never share it.`
        : `${code} adalah kode masuk ${tenant.name} Anda. Berlaku 5 menit. Jangan berikan kepada siapa pun.`;
      await enqueueMessage(trx, { tenantId: tenant.id, channel: 'sms', recipient: phone, purpose: 'otp', body, secret: code });
    });
    if (deps.config.demo) deps.log.info({ tenant: tenant.slug, phone, code }, `demo one-time code for ${phone}: ${code}`);
  }
  return { expiresInSeconds: OTP_SECONDS };
}

export async function verifyCode(deps: AppDeps, input: { slug: string; phone: string; code: string }, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  await consumeLimit(deps.limits.otpVerifyByIp, ip);
  const phoneKey = `${tenant.id}:${phone}`;
  await assertUnder(deps.limits.otpFailuresByPhone, phoneKey);
  // The try is spent in its own statement, so a wrong guess counts even though this call fails.
  const attempt = await repo.takeTry(deps.db, tenant.id, phone, OTP_MAX_TRIES);
  const expected = codeHash(deps.config.secretKey, tenant.id, phone, input.code);
  if (!attempt || !safeEqual(attempt.code_hash, expected)) {
    await consumeLimit(deps.limits.otpFailuresByPhone, phoneKey).catch(() => undefined);
    const triesLeft = attempt ? OTP_MAX_TRIES - attempt.attempts : 0;
    throw new DomainError('invalid_code', triesLeft > 0 ? `Wrong code; ${triesLeft} tries left` : expiredMessage, { triesLeft });
  }
  return inTransaction(deps.db, async (trx) => {
    const member = await findMemberByPhone(trx, tenant.id, phone);
    if (!member || member.status !== 'active' || !(await repo.consume(trx, tenant.id, attempt.id))) {
      throw new DomainError('invalid_code', expiredMessage, { triesLeft: 0 });
    }
    const session = await openSession(trx, tenant.id, 'member', member.id);
    return { tenantId: tenant.id, memberId: member.id, session };
  });
}

const expiredMessage = 'The code expired or has no tries left; ask for a new one';
