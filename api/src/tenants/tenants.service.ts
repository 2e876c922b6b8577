import type { AppDeps, Db } from '../deps.ts';
import { openSession } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createCardKey } from '../cards/card-keys.ts';
import { emailTaken, insertStaff } from '../staff/staff.repository.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { inTransaction } from '../shared/transaction.ts';
import { insertRule } from '../earning/earning-rules.repository.ts';
import * as repo from './tenants.repository.ts';

/** Every retailer starts earning 1 point per Rp 10.000. */
const DEFAULT_BASE_RULE = { type: 'base', spendPerPoint: 1_000_000, rounding: 'floor' };

export interface SignupInput {
  retailerName: string;
  email: string;
  password: string;
  slug?: string;
  currency: string;
  timeZone: string;
  locale: 'id' | 'en';
}

/** Open in demo mode, with KARTU_SIGNUP=on, or while the server has no retailer yet. */
async function signupOpen(db: Db, config: AppDeps['config']) {
  return config.demo || config.signupForced || !(await repo.anyTenantExists(db));
}

export async function signUpRetailer(db: Db, config: AppDeps['config'], input: SignupInput) {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    if (!(await signupOpen(trx, config))) throw new DomainError('signup_closed', 'Retailer sign-up is closed on this server');
    const slug = input.slug ?? (await freeSlug(trx, input.retailerName));
    if (RESERVED_SLUGS.has(slug) || (await repo.slugTaken(trx, slug))) throw new DomainError('slug_taken', `The slug "${slug}" is taken`, {}, [{ path: 'body.slug', message: 'Taken' }]);
    if (await emailTaken(trx, input.email)) throw new DomainError('email_taken', 'This email already has a Kartu account', {}, [{ path: 'body.email', message: 'Taken' }]);

    const tenantId = newId();
    await repo.insertTenant(trx, {
      id: tenantId, slug, name: input.retailerName, currency: input.currency, time_zone: input.timeZone, locale: input.locale,
    });
    await repo.insertTier(trx, { tenant_id: tenantId, id: newId(), code: 'member', name: 'Member', rank: 0 });
    await createCardKey(trx, config.secretKey, tenantId);
    await insertRule(trx, {
      tenant_id: tenantId, id: newId(), name: input.locale === 'en' ? 'Base points' : 'Poin dasar', status: 'active', priority: 0,
      exclusivity_group: null, conditions: {}, effect: DEFAULT_BASE_RULE,
    });
    const ownerId = newId();
    await insertStaff(trx, {
      tenant_id: tenantId, id: ownerId, email: input.email, name: input.retailerName, role: 'owner', password_hash: passwordHash, store_id: null,
    });
    const session = await openSession(trx, tenantId, 'staff', ownerId);
    return { tenantId, slug, ownerId, session };
  });
}

// Slugs that would read as a route of the app or the API (`/api/v1/public/tenants/default`).
const RESERVED_SLUGS = new Set(['default', 'api', 'app', 'portal', 'admin', 'join', 'static']);

async function freeSlug(db: Db, name: string): Promise<string> {
  const base = name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'toko';
  const padded = base.length < 2 ? `${base}-toko` : base;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? padded : `${padded}-${n}`;
    if (!RESERVED_SLUGS.has(candidate) && !(await repo.slugTaken(db, candidate))) return candidate;
  }
}

export async function getTenant(db: Db, tenantId: string) {
  const tenant = await repo.findTenantById(db, tenantId);
  if (!tenant) throw notFound('Retailer');
  return tenant;
}

export async function getPublicTenant(db: Db, slug: string | 'default') {
  const tenant = slug === 'default' ? await repo.findDefaultTenant(db) : await repo.findTenantBySlug(db, slug);
  if (!tenant) throw notFound('Retailer');
  return tenant;
}
