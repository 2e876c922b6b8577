import type { AppDeps, Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { consume as consumeLimit } from '../http/rate-limits.ts';
import { purchasesChanged } from '../lifecycle/lifecycle.service.ts';
import { lockAccounts, repayDebtFromBalance, transferAll } from '../ledger/ledger.service.ts';
import { checkCode, consumeCode, OTP_SECONDS, sendCode } from '../member-auth/otp-codes.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { actorOf, type Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { upgradeIfQualified } from '../tiers/tiers.service.ts';
import * as merges from './member-merge.repository.ts';
import * as repo from './members.repository.ts';
import { checkBirthDate, getMember, requirePhone, welcomeMember } from './members.service.ts';
import { phoneHash } from './phone-hash.ts';

export interface MemberPatch {
  name?: string;
  email?: string | null;
  birthDate?: string | null;
  marketingOptIn?: boolean;
  tags?: string[];
}

/** Profile and consent; the phone changes only through a one-time code (below). */
export async function updateMember(db: Db, principal: Principal, memberId: string, patch: MemberPatch) {
  return inTransaction(db, async (trx) => {
    const member = await activeMember(trx, principal.tenantId, memberId);
    if (patch.birthDate) checkBirthDate(patch.birthDate, (await getTenant(trx, principal.tenantId)).time_zone);
    await repo.updateMember(trx, principal.tenantId, member.id, {
      name: patch.name?.trim(), email: patch.email === undefined ? undefined : patch.email?.toLowerCase() ?? null,
      birth_date: patch.birthDate, marketing_opt_in: patch.marketingOptIn,
      marketing_opt_in_at: patch.marketingOptIn !== undefined && patch.marketingOptIn !== member.marketing_opt_in ? new Date() : undefined,
      tags: patch.tags ? [...new Set(patch.tags)].sort() : undefined,
    });
    if (principal.kind !== 'member') await recordAudit(trx, principal, { action: 'member.updated', targetType: 'member', targetId: member.id, details: { ...patch } });
    return getMember(trx, principal.tenantId, member.id);
  });
}

async function activeMember(db: Db, tenantId: string, memberId: string) {
  const member = await repo.lockMember(db, tenantId, memberId);
  if (!member) throw notFound('Member');
  if (member.status === 'merged') throw new DomainError('conflict', 'This member was merged into another; change that one');
  if (member.status === 'erased') throw new DomainError('conflict', 'This member’s personal data was erased on their request');
  return member;
}

async function freePhone(db: Db, tenantId: string, phone: string, memberId: string) {
  const owner = await repo.findMemberByPhone(db, tenantId, phone);
  if (owner && owner.id !== memberId) {
    throw new DomainError('phone_taken', `${phone} belongs to another member`, {}, [{ path: 'body.phone', message: 'Already registered' }]);
  }
  if (owner) throw invalidField('body.phone', 'This is already the member’s number');
}

/**
 * Step one of a phone change: a code to the new number, which must be free in the tenant. Staff
 * are told at once when it belongs to another member; a member is not (the answer is the same, no
 * code is sent, and the change is refused at step two), so the app cannot list who is a member.
 */
export async function requestPhoneChange(db: Db, deps: AppDeps, principal: Principal, memberId: string, input: { phone: string }, ip: string) {
  const phone = requirePhone(input.phone);
  const tenant = await getTenant(db, principal.tenantId);
  await activeMember(db, tenant.id, memberId);
  await consumeLimit(deps.limits.otpSendByIp, ip);
  await consumeLimit(deps.limits.otpSendByPhone, `${tenant.id}:${phone}`);
  const free = await freePhone(db, tenant.id, phone, memberId).then(() => true, (error: unknown) => {
    if (principal.kind === 'member' && error instanceof DomainError && error.code === 'phone_taken') return false;
    throw error;
  });
  if (!free) return { expiresInSeconds: OTP_SECONDS };
  const en = tenant.locale === 'en';
  await sendCode(db, deps, tenant, phone, (code) => en
    ? `${code} is your code to make this your ${tenant.name} member number. It expires in 5 minutes. Never share it.`
    : `${code} adalah kode untuk memakai nomor ini sebagai nomor member ${tenant.name}. Berlaku 5 menit. Jangan berikan kepada siapa pun.`);
  return { expiresInSeconds: OTP_SECONDS };
}

/** Step two: the code proves the new number; the old one is kept only as a keyed hash. */
export async function confirmPhoneChange(db: Db, deps: AppDeps, principal: Principal, memberId: string, input: { phone: string; code: string }, ip: string) {
  const phone = requirePhone(input.phone);
  const tenantId = principal.tenantId;
  const codeId = await checkCode(db, deps, tenantId, phone, input.code, ip);
  return inTransaction(db, async (trx) => {
    const member = await activeMember(trx, tenantId, memberId);
    await freePhone(trx, tenantId, phone, memberId);
    await consumeCode(trx, tenantId, codeId);
    await merges.insertFormerPhone(trx, tenantId, member.id, phoneHash(deps.config.secretKey, tenantId, member.phone));
    await repo.updateMember(trx, tenantId, member.id, { phone, phone_verified_at: new Date() });
    if (!member.phone_verified_at) await welcomeMember(trx, await getTenant(trx, tenantId), member.id, phone, deps.config.secretKey);
    // Numbers a member no longer uses are kept only as keyed hashes, so the audit log shows the new one masked.
    await recordAudit(trx, principal, { action: 'member.phone_changed', targetType: 'member', targetId: member.id, details: { to: maskPhone(phone) } });
    return getMember(trx, tenantId, member.id);
  });
}

/**
 * Merges a duplicate into the survivor: balance, pending points, debt and their lots (through the
 * ledger, as compensating entries), sales, vouchers and their uses, reward redemptions, referrals
 * made, and cards (the duplicate's current card is retired: one current card per member). The
 * duplicate is left as `merged`, pointing at the survivor, its number freed. Audit-logged.
 */
export async function mergeMembers(db: Db, principal: Principal, survivorId: string, duplicateId: string, secretKey: Buffer) {
  if (survivorId === duplicateId) throw invalidField('body.duplicateId', 'A member cannot be merged into itself');
  const tenantId = principal.tenantId;
  return inTransaction(db, async (trx) => {
    if (!(await repo.findMember(trx, tenantId, survivorId))) throw notFound('Member');
    const accounts = await lockAccounts(trx, tenantId, [survivorId, duplicateId]).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'not_found') throw invalidField('body.duplicateId', 'No such member');
      throw error;
    });
    const [first, second] = [survivorId, duplicateId].sort();
    const rows = [await repo.lockMember(trx, tenantId, first), await repo.lockMember(trx, tenantId, second)];
    const survivor = rows.find((m) => m?.id === survivorId);
    const duplicate = rows.find((m) => m?.id === duplicateId);
    if (!survivor || survivor.status === 'merged') throw notFound('Member');
    if (!duplicate) throw invalidField('body.duplicateId', 'No such member');
    if (duplicate.status === 'merged') throw invalidField('body.duplicateId', 'Already merged');
    if (survivor.status === 'erased' || duplicate.status === 'erased') throw new DomainError('conflict', 'An erased member cannot be merged');

    const mergeId = newId();
    const posting = { reference: `merge:${mergeId}`, note: 'Merged from a duplicate membership', actor: actorOf(principal) };
    const points = await transferAll(trx, tenantId, accounts.get(duplicateId)!, accounts.get(survivorId)!, posting);
    await repayDebtFromBalance(trx, tenantId, accounts.get(survivorId)!, posting);
    await merges.moveLifetime(trx, tenantId, accounts.get(duplicateId)!.id, accounts.get(survivorId)!.id);
    await merges.settleReferralsBetween(trx, tenantId, survivorId, duplicateId);
    const rowsMoved = await merges.moveRows(trx, tenantId, duplicateId, survivorId);
    const cards = await merges.moveCards(trx, tenantId, duplicateId, survivorId);
    await merges.moveFormerPhones(trx, tenantId, duplicateId, survivorId, phoneHash(secretKey, tenantId, duplicate.phone));
    await merges.endMemberSessions(trx, tenantId, duplicateId);
    await merges.dropRfm(trx, tenantId, duplicateId);
    await repo.updateMember(trx, tenantId, duplicateId, { status: 'merged', merged_into: survivorId, phone: `merged:${duplicateId}` });
    await repo.updateMember(trx, tenantId, survivorId, {
      email: survivor.email ?? duplicate.email, birth_date: survivor.birth_date ?? duplicate.birth_date,
      tags: [...new Set([...survivor.tags, ...duplicate.tags])].sort(),
    });
    const tenant = await getTenant(trx, tenantId);
    await upgradeIfQualified(trx, tenant, survivorId, new Date());
    await purchasesChanged(trx, tenantId, survivorId);
    const moved = { points, cards, ...rowsMoved };
    await merges.insertMerge(trx, {
      tenant_id: tenantId, id: mergeId, survivor_id: survivorId, merged_id: duplicateId, moved: JSON.stringify(moved), ...actorOf(principal),
    });
    await recordAudit(trx, principal, { action: 'member.merged', targetType: 'member', targetId: survivorId, details: { mergeId, duplicateId, moved } });
    return { mergeId, moved, member: await getMember(trx, tenantId, survivorId) };
  });
}

/** +6281234567890 → +62812•••••890: enough to recognise, not to dial. */
export const maskPhone = (phone: string) => `${phone.slice(0, 6)}${'•'.repeat(Math.max(0, phone.length - 9))}${phone.slice(-3)}`;
