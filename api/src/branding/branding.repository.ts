import type { Db } from '../deps.ts';

export type LogoType = 'image/png' | 'image/jpeg';

const brandColumns = ['slug', 'brand_primary', 'brand_text', 'logo_type', 'logo_updated_at'] as const;

/** The tenant's colours and whether it has a logo (without the logo's bytes). */
export function findBranding(db: Db, tenantId: string) {
  return db.selectFrom('tenants').select(brandColumns).where('id', '=', tenantId).executeTakeFirst();
}

/** The same, locked until the transaction ends: two colour changes must not each pass the contrast check alone. */
export function lockBranding(db: Db, tenantId: string) {
  return db.selectFrom('tenants').select(brandColumns).where('id', '=', tenantId).forUpdate().executeTakeFirst();
}

export async function updateColors(db: Db, tenantId: string, colors: { brand_primary: string; brand_text: string }) {
  await db.updateTable('tenants').set(colors).where('id', '=', tenantId).execute();
}

export async function setLogo(db: Db, tenantId: string, logo: Buffer, type: LogoType, at: Date) {
  await db.updateTable('tenants').set({ logo, logo_type: type, logo_updated_at: at }).where('id', '=', tenantId).execute();
}

/** Removes the logo; false when there was none. */
export async function clearLogo(db: Db, tenantId: string): Promise<boolean> {
  const result = await db
    .updateTable('tenants')
    .set({ logo: null, logo_type: null, logo_updated_at: null })
    .where('id', '=', tenantId)
    .where('logo', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The colours and the logo's bytes, for printing cards. */
export function findCardBrand(db: Db, tenantId: string) {
  return db.selectFrom('tenants').select(['brand_primary', 'brand_text', 'logo', 'logo_type']).where('id', '=', tenantId).executeTakeFirst();
}

export function findLogoBySlug(db: Db, slug: string) {
  return db.selectFrom('tenants').select(['logo', 'logo_type', 'logo_updated_at']).where('slug', '=', slug).executeTakeFirst();
}

/** What the installed member app shows of the retailer: name, language, colours and the logo's bytes. */
export function findWebAppBrandBySlug(db: Db, slug: string) {
  return db
    .selectFrom('tenants')
    .select(['slug', 'name', 'locale', 'brand_primary', 'brand_text', 'logo', 'logo_type', 'logo_updated_at'])
    .where('slug', '=', slug)
    .executeTakeFirst();
}
