import { createHash } from 'node:crypto';
import { z } from 'zod';
import { APP_ICON_SIZES } from './app-icon.ts';

// The member app's web app manifest in the retailer's branding (what Chromium installs): the
// retailer's name, its colour for the title bar and the splash screen, and icons drawn from its
// logo and colours. Opening the installed app starts at the retailer's card.

const ManifestIcon = z.object({ src: z.string(), sizes: z.string(), type: z.string(), purpose: z.enum(['any', 'maskable']) });

export const WebManifestSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    short_name: z.string(),
    description: z.string(),
    lang: z.string(),
    start_url: z.string(),
    scope: z.string(),
    display: z.literal('standalone'),
    orientation: z.literal('portrait'),
    background_color: z.string(),
    theme_color: z.string(),
    icons: z.array(ManifestIcon),
  })
  .meta({ id: 'WebManifest', description: 'A W3C web app manifest (application/manifest+json)' });

export type WebManifest = z.infer<typeof WebManifestSchema>;

interface WebAppColumns {
  slug: string;
  name: string;
  locale: 'id' | 'en';
  brand_primary: string;
  brand_text: string;
  logo_type: string | null;
  logo_updated_at: Date | null;
}

/** Changes whenever what the icons are drawn from changes, so an installed app fetches new ones. */
export const brandVersion = (row: WebAppColumns): string =>
  createHash('sha256')
    .update(`${row.brand_primary}|${row.brand_text}|${row.logo_type ?? ''}|${row.logo_updated_at?.getTime() ?? ''}`)
    .digest('hex')
    .slice(0, 12);

const DESCRIPTION = {
  id: 'Kartu member, poin dan riwayat belanja',
  en: 'Member card, points and shopping history',
} as const;

export function toWebManifest(row: WebAppColumns): WebManifest {
  const slug = encodeURIComponent(row.slug);
  const version = brandVersion(row);
  const icons = APP_ICON_SIZES.flatMap((size) =>
    (['any', 'maskable'] as const).map((purpose) => ({
      src: `/api/v1/public/tenants/${slug}/app-icon?size=${size}&v=${version}`,
      sizes: `${size}x${size}`,
      type: 'image/png',
      purpose,
    })),
  );
  return {
    id: `/app/${slug}`,
    name: row.name,
    short_name: row.name,
    description: DESCRIPTION[row.locale],
    lang: row.locale,
    start_url: `/app/${slug}`,
    scope: '/app/',
    display: 'standalone',
    orientation: 'portrait',
    background_color: row.brand_primary,
    theme_color: row.brand_primary,
    icons,
  };
}
