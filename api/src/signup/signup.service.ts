import type { AppDeps, Db } from '../deps.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { openSession } from '../auth/auth.service.ts';
import { cardBrand } from '../branding/branding.service.ts';
import { checkCode, consumeCode } from '../member-auth/otp-codes.ts';
import { firstProof } from '../member-auth/otp.service.ts';
import { findMemberByPhone } from '../members/members.repository.ts';
import { enrolMember, getMember, requirePhone } from '../members/members.service.ts';
import { findMemberByReferralCode } from '../referrals/referrals.repository.ts';
import { DomainError } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { getPublicTenant, getTenant } from '../tenants/tenants.service.ts';
import { normaliseVoucherCode } from '../vouchers/voucher-code.ts';
import { renderPosterPdf, type PosterSize } from './signup-poster.ts';
import { signupFormOf, type SignupForm } from './signup-form.ts';
import * as repo from './signup.repository.ts';

export const joinPath = (slug: string) => `/app/${slug}/join`;

export async function signupSettings(db: Db, principal: Principal) {
  const tenant = await getTenant(db, principal.tenantId);
  const stored = await repo.storedForm(db, principal.tenantId);
  return { welcomeBonusPoints: tenant.welcome_bonus_points, form: signupFormOf(stored, tenant.name, tenant.welcome_bonus_points), joinPath: joinPath(tenant.slug) };
}

export async function updateSignupSettings(db: Db, principal: Principal, patch: { welcomeBonusPoints?: number; form?: Partial<SignupForm> }) {
  return inTransaction(db, async (trx) => {
    const stored = await repo.storedForm(trx, principal.tenantId);
    await repo.saveSettings(trx, principal.tenantId, { form: patch.form ? { ...stored, ...patch.form } : undefined, welcomeBonusPoints: patch.welcomeBonusPoints });
    await recordAudit(trx, principal, { action: 'settings.signup.updated', targetType: 'tenant', targetId: principal.tenantId, details: patch });
    return signupSettings(trx, principal);
  });
}

/** What the public sign-up page shows; with a referral code, the first name of the friend who shared it. */
export async function publicSignupForm(db: Db, slug: string, ref: string | undefined) {
  const tenant = await getPublicTenant(db, slug);
  const form = signupFormOf(await repo.storedForm(db, tenant.id), tenant.name, tenant.welcome_bonus_points);
  const referrer = ref ? await findMemberByReferralCode(db, tenant.id, normaliseVoucherCode(ref.normalize('NFKC'))) : undefined;
  const referrerName = referrer?.status === 'active' ? (await getMember(db, tenant.id, referrer.id)).name.split(' ')[0] : null;
  return {
    retailer: tenant.name,
    headline: form.headline,
    intro: form.intro,
    consentText: form.consentText,
    askEmail: form.askEmail,
    askBirthDate: form.askBirthDate,
    welcomeBonusPoints: tenant.welcome_bonus_points,
    refereePoints: referrerName ? tenant.referral_referee_points : 0,
    referrerName,
    referralMinSpend: referrerName ? tenant.referral_min_spend : 0,
  };
}

export interface SignupInput {
  slug: string;
  phone: string;
  code: string;
  name: string;
  email?: string;
  birthDate?: string;
  marketingOptIn?: boolean;
  referralCode?: string;
  tag?: string;
}

/**
 * A prospect joins from the public form: the one-time code proves the phone, then the member is
 * enrolled (source: referral with a code, campaign with a tag, else web form) and signed in. A
 * phone that already belongs to a member just signs that member in.
 */
export async function signUp(deps: AppDeps, input: SignupInput, ip: string) {
  const tenant = await getPublicTenant(deps.db, input.slug);
  const phone = requirePhone(input.phone);
  const codeId = await checkCode(deps.db, deps, tenant.id, phone, input.code, ip);
  return inTransaction(deps.db, async (trx) => {
    await consumeCode(trx, tenant.id, codeId);
    const existing = await findMemberByPhone(trx, tenant.id, phone);
    if (existing && existing.status !== 'active') throw new DomainError('forbidden', 'This membership is not active; please ask at the shop');
    let memberId = existing?.id;
    if (memberId) await firstProof(deps, trx, tenant.id, memberId);
    else {
      const member = await enrolMember(trx, tenant.id, {
        name: input.name, phone, email: input.email, birthDate: input.birthDate, marketingOptIn: input.marketingOptIn,
        referralCode: input.referralCode, tag: input.tag, source: input.tag ? 'campaign' : 'web_form', phoneVerified: true,
      }, deps.config.secretKey);
      memberId = member.id;
    }
    const session = await openSession(trx, tenant.id, 'member', memberId);
    return { created: !existing, tenantId: tenant.id, memberId, session };
  });
}

/** The shop-window poster: a QR to the sign-up page (with the campaign tag, if any). */
export async function signupPoster(db: Db, principal: Principal, options: { size: PosterSize; lang: 'id' | 'en'; tag?: string; origin: string }) {
  const tenant = await getTenant(db, principal.tenantId);
  const form = signupFormOf(await repo.storedForm(db, tenant.id), tenant.name, tenant.welcome_bonus_points);
  const url = `${options.origin}${joinPath(tenant.slug)}${options.tag ? `?tag=${encodeURIComponent(options.tag)}` : ''}`;
  const brand = await cardBrand(db, tenant.id);
  return renderPosterPdf({
    size: options.size, retailer: tenant.name, headline: form.posterHeadline[options.lang], text: form.posterText[options.lang], url, ...brand,
  });
}
