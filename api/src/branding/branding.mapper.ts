import { z } from 'zod';
import type { CardColors } from '../cards/card-pdf.ts';

const HexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A colour as #rrggbb');

const LogoUrl = z.string().nullable().meta({
  description: 'The public logo (`/api/v1/public/tenants/{slug}/logo`, versioned so a new logo is fetched at once); null without one',
});

export const BrandingSchema = z
  .object({
    primaryColor: HexColor.meta({ description: 'Card background and the member app’s accent, lower case', example: '#0f766e' }),
    textColor: HexColor.meta({ description: 'Text on the primary colour, lower case', example: '#ffffff' }),
    logoUrl: LogoUrl,
    logoUpdatedAt: z.string().nullable().meta({ description: 'When the current logo was uploaded; null without one' }),
  })
  .meta({ id: 'Branding' });

export const PublicBrandSchema = z
  .object({ primaryColor: HexColor, textColor: HexColor, logoUrl: LogoUrl })
  .meta({ id: 'PublicBrand', description: 'The retailer’s colours and logo, for the member app' });

export const BrandColorsInput = z.object({
  primaryColor: HexColor.optional().meta({ description: '#rrggbb in any case; stored lower case' }),
  textColor: HexColor.optional().meta({ description: '#rrggbb in any case; stored lower case' }),
});

interface BrandColumns {
  slug: string;
  brand_primary: string;
  brand_text: string;
  logo_type: string | null;
  logo_updated_at: Date | null;
}

const logoUrlOf = (row: BrandColumns) =>
  row.logo_type && row.logo_updated_at
    ? `/api/v1/public/tenants/${encodeURIComponent(row.slug)}/logo?v=${row.logo_updated_at.getTime()}`
    : null;

export const toPublicBrand = (row: BrandColumns): z.infer<typeof PublicBrandSchema> => ({
  primaryColor: row.brand_primary, textColor: row.brand_text, logoUrl: logoUrlOf(row),
});

export const toBranding = (row: BrandColumns): z.infer<typeof BrandingSchema> => ({
  ...toPublicBrand(row),
  logoUpdatedAt: row.logo_type && row.logo_updated_at ? row.logo_updated_at.toISOString() : null,
});

export const cardColorsOf = (row: { brand_primary: string; brand_text: string }): CardColors => ({ primary: row.brand_primary, text: row.brand_text });
