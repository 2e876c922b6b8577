import { randomInt } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { recordAudit } from '../audit/audit.repository.ts';
import type { AppDeps, Db } from '../deps.ts';
import { assertUnder, consume as consumeLimit, tillOf } from '../http/rate-limits.ts';
import { findMember } from '../members/members.repository.ts';
import { enqueueMessage } from '../outbox/outbox.service.ts';
import { hmac, safeEqual } from '../shared/crypto.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { effectiveStoreId, requireStore } from '../stores/stores.service.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import * as repo from './presence-codes.repository.ts';
import { createScanToken } from './scan-token.ts';

export const PRESENCE_CODE_SECONDS = 5 * 60;
export const PRESENCE_CODE_MAX_TRIES = 5;

// Keyed with the server secret like sign-in codes, under another label and bound to member and store,
// so neither kind of code, nor one sent for another store, can match.
const codeHash = (key: Buffer, tenantId: string, memberId: string, storeId: string | null, code: string) =>
  hmac(key, `presence|${tenantId}|${memberId}|${storeId ?? '-'}|${code}`);

/**
 * Texts the member a one-time code that the cashier types back to show the member is at the till,
 * for a card that cannot be scanned and no app at hand.
 */
export async function sendPresenceCode(db: Db, principal: Principal, deps: AppDeps, memberId: string, input: { storeId?: string }) {
  const storeId = effectiveStoreId(principal, input.storeId);
  await consumeLimit(deps.limits.presenceSendByTill, tillOf(principal));
  const store = storeId ? await requireStore(db, principal.tenantId, storeId, 'body.storeId') : null;
  const member = await activeMember(db, principal.tenantId, memberId);
  await consumeLimit(deps.limits.presenceSendByMember, `${principal.tenantId}:${memberId}`);
  const tenant = await getTenant(db, principal.tenantId);
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  const place = store ? `${tenant.name} (${store.name})` : tenant.name;
  const body = tenant.locale === 'en'
    ? `${code} is your code to confirm spending points at ${place}. Valid 5 minutes. Give it only to the cashier in front of you, never to anyone else.`
    : `${code} adalah kode untuk menyetujui pemakaian poin di ${place}. Berlaku 5 menit. Berikan hanya kepada kasir di depan Anda, jangan kepada orang lain.`;
  await inTransaction(db, async (trx) => {
    await repo.retireLiveCodes(trx, principal.tenantId, memberId);
    await repo.insertCode(trx, {
      tenant_id: principal.tenantId, id: newId(), member_id: memberId, store_id: storeId,
      code_hash: codeHash(deps.config.secretKey, principal.tenantId, memberId, storeId, code),
      expires_at: new Date(Date.now() + PRESENCE_CODE_SECONDS * 1000),
    });
    await enqueueMessage(trx, { tenantId: principal.tenantId, channel: 'sms', recipient: member.phone, purpose: 'presence', body, secret: code });
  });
  if (deps.config.demo) deps.log.info({ tenant: tenant.slug, memberId, code }, `demo presence code for ${member.phone}: ${code}`);
  return { expiresInSeconds: PRESENCE_CODE_SECONDS, sentTo: maskPhone(member.phone) };
}

/**
 * Checks the code the member read out; right, it is used up and gives a scan token that may spend,
 * as a scanned card would. Each wrong try counts against the code (5) and the member (per day).
 */
export async function verifyPresenceCode(
  db: Db,
  principal: Principal,
  deps: AppDeps,
  memberId: string,
  input: { code: string; storeId?: string },
) {
  const storeId = effectiveStoreId(principal, input.storeId);
  if (storeId) await requireStore(db, principal.tenantId, storeId, 'body.storeId');
  await activeMember(db, principal.tenantId, memberId);
  const memberKey = `${principal.tenantId}:${memberId}`;
  await assertUnder(deps.limits.presenceFailuresByMember, memberKey);
  const attempt = await repo.takeTry(db, principal.tenantId, memberId, storeId, PRESENCE_CODE_MAX_TRIES);
  const expected = codeHash(deps.config.secretKey, principal.tenantId, memberId, storeId, input.code);
  if (!attempt || !safeEqual(attempt.code_hash, expected)) {
    await consumeLimit(deps.limits.presenceFailuresByMember, memberKey).catch(() => undefined);
    throw invalidPresenceCode(attempt ? PRESENCE_CODE_MAX_TRIES - attempt.attempts : 0);
  }
  return inTransaction(db, async (trx) => {
    if (!(await repo.consume(trx, principal.tenantId, attempt.id))) throw invalidPresenceCode(0);
    await recordAudit(trx, principal, { action: 'presence_code.verified', targetType: 'member', targetId: memberId, details: { storeId } });
    return { scanToken: createScanToken(deps.config.secretKey, principal.tenantId, memberId, storeId, 'scanned'), canSpend: true as const };
  });
}

async function activeMember(db: Db, tenantId: string, memberId: string) {
  const member = await findMember(db, tenantId, memberId);
  if (!member || member.status !== 'active') throw notFound('Member');
  return member;
}

const invalidPresenceCode = (triesLeft: number) =>
  new DomainError(
    'invalid_presence_code',
    triesLeft > 0 ? `Wrong code; ${triesLeft} tries left` : 'The code expired, was used, was sent for another store or has no tries left; send a new one',
    { triesLeft },
    [{ path: 'body.code', message: triesLeft > 0 ? 'Wrong code' : 'Expired, used or out of tries' }],
  );

/** "+62 812-****-7890": enough for the cashier to check with the member, not enough to learn the number. */
export function maskPhone(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return '****';
  const digits = String(phone.nationalNumber);
  const head = digits.slice(0, Math.min(3, Math.max(0, digits.length - 8)));
  return `+${phone.countryCallingCode} ${head ? `${head}-` : ''}****-${digits.slice(-4)}`;
}
