import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contrastRatio, formatRatio, MIN_BRAND_CONTRAST } from '../../client/brand-colors.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { repoRoot } from '../config.ts';
import type { CardColors } from '../cards/card-pdf.ts';
import type { Db } from '../deps.ts';
import { invalidField, notFound } from '../shared/errors.ts';
import type { Principal } from '../shared/principal.ts';
import { inTransaction } from '../shared/transaction.ts';
import { cardColorsOf, toBranding } from './branding.mapper.ts';
import * as repo from './branding.repository.ts';
import { parseLogo, printableLogo } from './logo-image.ts';

async function brandingRow(db: Db, tenantId: string) {
  const row = await repo.findBranding(db, tenantId);
  if (!row) throw notFound('Retailer');
  return row;
}

export async function getBranding(db: Db, principal: Principal) {
  return toBranding(await brandingRow(db, principal.tenantId));
}

/**
 * Changes either colour or both. The resulting pair must reach a 3:1 contrast (WCAG's minimum for
 * large text), or the retailer's and the member's names on the card cannot be read.
 */
export async function updateColors(db: Db, principal: Principal, input: { primaryColor?: string; textColor?: string }) {
  return inTransaction(db, async (trx) => {
    const current = await repo.lockBranding(trx, principal.tenantId);
    if (!current) throw notFound('Retailer');
    const primary = input.primaryColor?.toLowerCase() ?? current.brand_primary;
    const text = input.textColor?.toLowerCase() ?? current.brand_text;
    const ratio = contrastRatio(primary, text);
    if (ratio < MIN_BRAND_CONTRAST) {
      throw invalidField(
        input.textColor !== undefined ? 'body.textColor' : 'body.primaryColor',
        `Text ${text} on ${primary} has a contrast ratio of ${formatRatio(ratio)}; at least ${MIN_BRAND_CONTRAST}:1 is needed so names on the card can be read`,
      );
    }
    const changed = {
      ...(primary !== current.brand_primary ? { primaryColor: primary } : {}),
      ...(text !== current.brand_text ? { textColor: text } : {}),
    };
    if (Object.keys(changed).length > 0) {
      await repo.updateColors(trx, principal.tenantId, { brand_primary: primary, brand_text: text });
      await recordAudit(trx, principal, { action: 'settings.branding.updated', targetType: 'tenant', targetId: principal.tenantId, details: changed });
    }
    return toBranding(await brandingRow(trx, principal.tenantId));
  });
}

/** Replaces the logo with the PNG or JPEG in the data URL `image` (logo-image.ts checks it). */
export async function uploadLogo(db: Db, principal: Principal, image: string) {
  const logo = parseLogo(image);
  return inTransaction(db, async (trx) => {
    await repo.setLogo(trx, principal.tenantId, logo.bytes, logo.type, new Date());
    await recordAudit(trx, principal, {
      action: 'settings.branding.logo_uploaded', targetType: 'tenant', targetId: principal.tenantId,
      details: { type: logo.type, bytes: logo.bytes.length, width: logo.width, height: logo.height },
    });
    return toBranding(await brandingRow(trx, principal.tenantId));
  });
}

/** Removes the logo; cards go back to the retailer's name alone. Nothing to remove changes nothing. */
export async function removeLogo(db: Db, principal: Principal): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (await repo.clearLogo(trx, principal.tenantId)) {
      await recordAudit(trx, principal, { action: 'settings.branding.logo_removed', targetType: 'tenant', targetId: principal.tenantId });
    }
  });
}

const bytesOf = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

let defaultLogo: { bytes: Buffer; etag: string } | undefined;
/** Kartu's own mark, for retailers without a logo (Google Wallet needs some logo URL). */
function kartuLogo() {
  if (!defaultLogo) {
    const bytes = readFileSync(join(repoRoot, 'api/assets/default-logo.png'));
    defaultLogo = { bytes, etag: `"default-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"` };
  }
  return defaultLogo;
}

/** The retailer's public logo by slug (Kartu's mark when it has none), with an ETag for revalidation. */
export async function publicLogo(db: Db, slug: string): Promise<{ bytes: Buffer; type: string; etag: string }> {
  const row = await repo.findLogoBySlug(db, slug);
  if (!row) throw notFound('Retailer');
  if (!row.logo || !row.logo_type || !row.logo_updated_at) return { ...kartuLogo(), type: 'image/png' };
  return { bytes: bytesOf(row.logo), type: row.logo_type, etag: `"logo-${row.logo_updated_at.getTime()}"` };
}

/** What a printed card shows of the brand: the colours, and the logo in a form the card printer takes. */
export async function cardBrand(db: Db, tenantId: string): Promise<{ colors: CardColors; logo?: Buffer }> {
  const row = await repo.findCardBrand(db, tenantId);
  if (!row) throw notFound('Retailer');
  const colors = cardColorsOf(row);
  return row.logo && row.logo_type ? { colors, logo: printableLogo(bytesOf(row.logo), row.logo_type) } : { colors };
}
