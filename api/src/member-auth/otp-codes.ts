import { randomInt } from 'node:crypto';
import { databaseKind } from '@kartu/db';
import type { AppDeps, Db } from '../deps.ts';
import { assertUnder, consume as consumeLimit } from '../http/rate-limits.ts';
import { enqueueMessage } from '../outbox/outbox.service.ts';
import { hmac, safeEqual } from '../shared/crypto.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inTransaction } from '../shared/transaction.ts';
import * as repo from './otp.repository.ts';

// One-time codes sent to a phone by SMS: to sign in, to join, to prove a new number. A code proves
// that whoever holds it receives that number's messages; what it is for is the caller's business.

export const OTP_SECONDS = 5 * 60;
export const OTP_MAX_TRIES = 5;

// Six digits are few, so the stored hash is keyed with the server secret: a leaked table is no list of codes.
const codeHash = (key: Buffer, tenantId: string, phone: string, code: string) => hmac(key, `otp|${tenantId}|${phone}|${code}`);

/** A fresh code for `phone`, replacing older live ones, sent through the outbox. */
export async function sendCode(db: Db, deps: AppDeps, tenant: { id: string; slug: string }, phone: string, message: (code: string) => string) {
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  await inTransaction(db, async (trx) => {
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
export async function checkCode(db: Db, deps: AppDeps, tenantId: string, phone: string, code: string, ip: string): Promise<string> {
  await consumeLimit(deps.limits.otpVerifyByIp, ip);
  const phoneKey = `${tenantId}:${phone}`;
  await assertUnder(deps.limits.otpFailuresByPhone, phoneKey);
  // The try is spent outside the caller's transaction, so a wrong guess counts even though the call
  // fails and rolls back; embedded PGlite has one connection, so there it is spent inside (the
  // per-phone failure limit above still counts every wrong guess).
  const outside = db.isTransaction && databaseKind(deps.db) === 'pglite' ? db : deps.db;
  const attempt = await repo.takeTry(outside, tenantId, phone, OTP_MAX_TRIES);
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

const expiredMessage = 'The code expired or has no tries left; ask for a new one';
