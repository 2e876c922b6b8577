import type { Db } from '../deps.ts';

// Every column but the logo's bytes (up to 256 KiB), which only printing and passes read
// (branding.repository.ts): a tenant is read on every sale.
const columns = [
  'id', 'slug', 'name', 'currency', 'time_zone', 'locale', 'point_value', 'expiry_policy', 'expiry_months', 'expiry_period',
  'return_window_days', 'tier_basis', 'tier_window_months', 'brand_primary', 'brand_text', 'logo_type', 'logo_updated_at', 'created_at',
  'lifecycle_new_days', 'lifecycle_at_risk_days', 'lifecycle_lapsed_days', 'welcome_bonus_points', 'referral_referrer_points',
  'referral_referee_points', 'referral_min_spend', 'referral_monthly_cap', 'rfm_window_months', 'clv_horizon_months',
] as const;

export type TenantRow = NonNullable<Awaited<ReturnType<typeof findTenantById>>>;

export async function anyTenantExists(db: Db): Promise<boolean> {
  return Boolean(await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst());
}

export function findTenantById(db: Db, id: string) {
  return db.selectFrom('tenants').select(columns).where('id', '=', id).executeTakeFirst();
}

export function findTenantBySlug(db: Db, slug: string) {
  return db.selectFrom('tenants').select(columns).where('slug', '=', slug).executeTakeFirst();
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  return Boolean(await db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirst());
}

/** The tenant plain `/app` opens: the demo retailer, or the only one. */
export async function findDefaultTenant(db: Db) {
  const demo = await findTenantBySlug(db, 'demo');
  if (demo) return demo;
  const firstTwo = await db.selectFrom('tenants').select(columns).orderBy('created_at').limit(2).execute();
  return firstTwo.length === 1 ? firstTwo[0] : undefined;
}

export async function insertTenant(db: Db, row: { id: string; slug: string; name: string; currency: string; time_zone: string; locale: 'id' | 'en' }) {
  await db.insertInto('tenants').values(row).execute();
}

export async function insertTier(db: Db, row: { tenant_id: string; id: string; code: string; name: string; rank: number }) {
  await db.insertInto('tiers').values(row).execute();
}
