import { pageOf } from '../shared/page.ts';
import type { Db } from '../deps.ts';
import { issueCard } from '../cards/cards.service.ts';
import { normaliseTypedCardNumber } from '../cards/luhn.ts';
import type { MemberSource } from '@kartu/db';
import { credit, lockAccount, openAccount } from '../ledger/ledger.service.ts';
import { insertFirstStage } from '../lifecycle/lifecycle.repository.ts';
import { expiresAt, policyOf } from '../points/policy.ts';
import { claimPhone } from '../referrals/referrals.repository.ts';
import { referrerOf, startReferral } from '../referrals/referrals.service.ts';
import type { TenantRow } from '../tenants/tenants.repository.ts';
import { randomVoucherCodes } from '../vouchers/voucher-code.ts';
import type { AppDeps } from '../deps.ts';
import { consume as consumeLimit } from '../http/rate-limits.ts';
import { consumeCode, OTP_SECONDS, sendCode } from '../member-auth/otp-codes.ts';
import { phoneHash } from './phone-hash.ts';
import { DomainError, invalidField, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getTenant } from '../tenants/tenants.service.ts';
import { toMemberView } from './members.mapper.ts';
import * as repo from './members.repository.ts';
import { normalisePhone } from './phone.ts';
import { enqueueWebhookEvent } from '../webhooks/webhook-events.ts';
import { memberCreatedData } from '../webhooks/webhook-payloads.ts';

export interface NewMember {
  name: string;
  phone: string;
  email?: string;
  birthDate?: string;
  marketingOptIn?: boolean;
  referralCode?: string;
  source?: MemberSource;
  /** The campaign tag of the sign-up link. */
  tag?: string;
  /** The phone was proven with a one-time code (checked by the caller; see `phoneCodeId`). */
  phoneVerified?: boolean;
  /** A checked one-time code for the phone, used up in the enrolment's transaction. */
  phoneCodeId?: string;
}

export function requirePhone(input: string, field = 'body.phone'): string {
  const phone = normalisePhone(input);
  if (!phone) throw invalidField(field, 'Not a valid phone number (e.g. 0812 3456 7890 or +62 812 3456 7890)');
  return phone;
}

/** Today's date (YYYY-MM-DD) where the retailer is. */
const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());

export function checkBirthDate(birthDate: string, timeZone: string, field = 'body.birthDate') {
  if (birthDate > todayIn(timeZone)) throw invalidField(field, 'Must not be in the future');
  if (birthDate < '1900-01-01') throw invalidField(field, 'Must be after 1900');
}

/** A code to a customer's phone at the till, so the cashier can enrol them with a proven phone. */
export async function sendEnrolmentCode(db: Db, deps: AppDeps, principal: Principal, input: string, ip: string) {
  const phone = requirePhone(input);
  const tenant = await getTenant(db, principal.tenantId);
  if (await repo.phoneTaken(db, tenant.id, phone)) {
    throw new DomainError('phone_taken', `${phone} is already a member`, {}, [{ path: 'body.phone', message: 'Already registered' }]);
  }
  await consumeLimit(deps.limits.otpSendByIp, ip);
  await consumeLimit(deps.limits.otpSendByPhone, `${tenant.id}:${phone}`);
  await consumeLimit(deps.limits.otpSignupByTenant, tenant.id);
  await sendCode(db, deps, tenant, phone, (code) => tenant.locale === 'en'
    ? `${code} is your code to join ${tenant.name}. Tell it to the cashier only. It expires in 5 minutes.`
    : `${code} adalah kode pendaftaran ${tenant.name} Anda. Sebutkan hanya kepada kasir. Berlaku 5 menit.`);
  return { expiresInSeconds: OTP_SECONDS };
}

/** Staff and POS keys enrol members (source: in store unless told). */
export function createMember(
  db: Db,
  principal: Principal,
  input: NewMember,
  secretKey: Buffer,
  giveCard?: (trx: Db, memberId: string) => Promise<void>,
) {
  return enrolMember(db, principal.tenantId, input, secretKey, giveCard);
}

async function newReferralCode(db: Db, tenantId: string): Promise<string> {
  for (;;) {
    const [code] = randomVoucherCodes(1, REFERRAL_CODE_LENGTH);
    if (!(await repo.referralCodeTaken(db, tenantId, code))) return code;
  }
}

const REFERRAL_CODE_LENGTH = 8;

/**
 * A new member, however they came: a card (issued, or a pre-printed one through `giveCard`), a
 * points account, a referral code of their own, the referral that brought them, and the welcome
 * bonus (once per phone number, ever), all in one transaction.
 */
export async function enrolMember(
  db: Db,
  tenantId: string,
  input: NewMember,
  secretKey: Buffer,
  giveCard?: (trx: Db, memberId: string) => Promise<void>,
) {
  const phone = requirePhone(input.phone);
  return inTransaction(db, async (trx) => {
    const tenant = await getTenant(trx, tenantId);
    if (input.birthDate) checkBirthDate(input.birthDate, tenant.time_zone);
    if (await repo.phoneTaken(trx, tenantId, phone)) {
      throw new DomainError('phone_taken', `${phone} is already a member`, {}, [{ path: 'body.phone', message: 'Already registered' }]);
    }
    const referrerId = input.referralCode ? await referrerOf(trx, tenantId, input.referralCode) : null;
    if (input.phoneCodeId) await consumeCode(trx, tenantId, input.phoneCodeId);
    const verified = Boolean(input.phoneVerified || input.phoneCodeId);
    const id = newId();
    await repo.insertMember(trx, {
      tenant_id: tenantId, id, name: input.name.trim(), phone, email: input.email?.toLowerCase() ?? null, birth_date: input.birthDate ?? null,
      marketing_opt_in: input.marketingOptIn ?? false, tier_id: await repo.baseTierId(trx, tenantId),
      source: referrerId ? 'referral' : input.source ?? 'in_store', source_tag: input.tag ?? null,
      referral_code: await newReferralCode(trx, tenantId), referred_by: referrerId,
      phone_verified_at: verified ? new Date() : null, stage_changed_at: new Date(),
    });
    await openAccount(trx, tenantId, id);
    await insertFirstStage(trx, tenantId, id);
    if (giveCard) await giveCard(trx, id);
    else await issueCard(trx, tenantId, id, secretKey);
    if (referrerId) await startReferral(trx, tenantId, referrerId, id);
    if (verified) await welcomeMember(trx, tenant, id, phone, secretKey);
    const member = await getMember(trx, tenantId, id);
    await enqueueWebhookEvent(trx, tenantId, 'member.created', memberCreatedData(member));
    return member;
  });
}

/**
 * The welcome bonus, on the first proof of a member's phone (a bonus for a number nobody proved
 * would let a till enrol made-up numbers for points), once per phone number, ever.
 */
export async function welcomeMember(trx: Db, tenant: TenantRow, memberId: string, phone: string, secretKey: Buffer) {
  if (tenant.welcome_bonus_points <= 0 || !(await claimPhone(trx, tenant.id, 'welcome', phoneHash(secretKey, tenant.id, phone)))) return;
  const account = await lockAccount(trx, tenant.id, memberId);
  await credit(trx, tenant.id, account, {
    kind: 'bonus', points: tenant.welcome_bonus_points, reference: 'welcome', note: 'Welcome bonus', actor: { actor_kind: 'system', actor_id: null },
  }, { expiresAt: expiresAt(new Date(), policyOf(tenant)) });
}

export async function getMember(db: Db, tenantId: string, id: string) {
  const row = await repo.findMember(db, tenantId, id);
  if (!row) throw notFound('Member');
  return toMemberView(row);
}

export async function searchMembers(db: Db, principal: Principal, query: string | undefined, cursor: string | undefined, limit = 25) {
  const text = query?.trim();
  const rows = await repo.searchMembers(
    db,
    principal.tenantId,
    { text, phone: text ? normalisePhone(text) : null, cardNumber: text ? normaliseTypedCardNumber(text) : null },
    limit,
    cursor,
  );
  const { page, nextCursor } = pageOf(rows, limit);
  return { items: page.map(toMemberView), nextCursor };
}
