import { createHash } from 'node:crypto';
import type { Db } from '../deps.ts';
import { notFound } from '../shared/errors.ts';
import { renderAppIcon, type AppIconSize } from './app-icon.ts';
import { findWebAppBrandBySlug } from './branding.repository.ts';
import { brandVersion, toWebManifest } from './web-app.mapper.ts';

async function webAppRow(db: Db, slug: string) {
  const row = await findWebAppBrandBySlug(db, slug);
  if (!row) throw notFound('Retailer');
  return row;
}

/** The retailer's web app manifest, with an ETag that changes with the name, language or branding. */
export async function webManifest(db: Db, slug: string) {
  const manifest = toWebManifest(await webAppRow(db, slug));
  const etag = `"manifest-${createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 16)}"`;
  return { manifest, etag };
}

// Drawing a 512 px icon takes tens of milliseconds: the last icons drawn are kept, by brand version.
const rendered = new Map<string, Buffer>();
const KEEP_ICONS = 64;

/** The installed app's icon of `size` pixels in the retailer's colours and logo. */
export async function appIcon(db: Db, slug: string, size: AppIconSize): Promise<{ bytes: Buffer; etag: string }> {
  const row = await webAppRow(db, slug);
  const version = brandVersion(row);
  const key = `${row.slug}|${size}|${version}`;
  let bytes = rendered.get(key);
  if (!bytes) {
    const pngLogo = row.logo && row.logo_type === 'image/png' ? Buffer.from(row.logo) : undefined;
    bytes = renderAppIcon(size, { primary: row.brand_primary, text: row.brand_text, pngLogo });
    if (rendered.size >= KEEP_ICONS) rendered.delete(rendered.keys().next().value!);
    rendered.set(key, bytes);
  }
  return { bytes, etag: `"icon-${size}-${version}"` };
}
