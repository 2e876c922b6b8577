import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Passkit from 'passkit-generator';
import { repoRoot } from '../config.ts';
import { loadOnUse } from '../shared/load-on-use.ts';
import type { AppleSecret, AppleSettings } from './apple-credentials.ts';
import { groupedNumber, passLabels, rgb, type PassContent } from './pass-content.ts';

const passkit = loadOnUse<typeof Passkit>('passkit-generator');

const ICONS = ['icon.png', 'icon@2x.png', 'icon@3x.png'];
let icons: Record<string, Buffer> | undefined;
/** Wallet requires an icon (shown on the lock screen and in notifications): Kartu's, read once. */
function defaultIcons(): Record<string, Buffer> {
  icons ??= Object.fromEntries(ICONS.map((name) => [name, readFileSync(join(repoRoot, 'api/assets/wallet', name))]));
  return icons;
}

/**
 * A signed `.pkpass` store card: the printed card's QR, points, name and tier, in the retailer's
 * colours, with the retailer's logo when it is a PNG (Wallet takes no JPEG). Labels are in the
 * retailer's language, translated for phones set to Indonesian or English.
 */
export function applePass(issuer: AppleSettings, secret: AppleSecret, content: PassContent, logoPng: Buffer | null): Buffer {
  const { tenant, member, card } = content;
  const shown = { ...passLabels[tenant.locale], description: `${passLabels[tenant.locale].program} ${tenant.name}` };
  const passJson = {
    formatVersion: 1,
    passTypeIdentifier: issuer.passTypeIdentifier,
    teamIdentifier: issuer.teamIdentifier,
    serialNumber: card.id,
    organizationName: tenant.name,
    description: shown.description,
    logoText: tenant.name,
    backgroundColor: rgb(tenant.brandPrimary),
    foregroundColor: rgb(tenant.brandText),
    labelColor: rgb(tenant.brandText),
    barcodes: [{ format: 'PKBarcodeFormatQR', message: card.code, messageEncoding: 'iso-8859-1', altText: groupedNumber(card.number) }],
    storeCard: {
      primaryFields: [{ key: 'points', label: shown.points, value: member.balance }],
      secondaryFields: [
        { key: 'member', label: shown.member, value: member.name },
        { key: 'tier', label: shown.tier, value: member.tierName },
      ],
      backFields: [{ key: 'cardNumber', label: shown.cardNumber, value: groupedNumber(card.number) }],
    },
  };
  const pass = new (passkit().PKPass)(
    { ...defaultIcons(), ...(logoPng ? { 'logo.png': logoPng } : {}), 'pass.json': Buffer.from(JSON.stringify(passJson)) },
    { wwdr: secret.wwdrCertificate, signerCert: secret.certificate, signerKey: secret.privateKey },
  );
  // Only the fixed labels are translated: pass.strings keys are not escaped by passkit-generator,
  // so nothing with the retailer's name (which may hold quotes) becomes a key.
  const labels = Object.keys(passLabels[tenant.locale]) as (keyof (typeof passLabels)['id'])[];
  for (const language of ['id', 'en'] as const) {
    pass.localize(language, Object.fromEntries(labels.map((key) => [passLabels[tenant.locale][key], passLabels[language][key]])));
  }
  return pass.getAsBuffer();
}
