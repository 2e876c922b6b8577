import { z } from 'zod';
import type { WalletIssuerRow } from './wallets.repository.ts';

export const GoogleIssuerSchema = z
  .object({
    issuerId: z.string(),
    serviceAccountEmail: z.string(),
    updatedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'GoogleWalletIssuer' });

export const AppleIssuerSchema = z
  .object({
    passTypeIdentifier: z.string(),
    teamIdentifier: z.string(),
    certificateSubject: z.string(),
    certificateExpiresAt: z.string().meta({ format: 'date-time' }),
    updatedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'AppleWalletIssuer' });

export const WalletSettingsSchema = z
  .object({ google: GoogleIssuerSchema.nullable(), apple: AppleIssuerSchema.nullable() })
  .meta({ id: 'WalletSettings', description: 'The wallet issuers configured; null when not. Never a key or certificate.' });

export const WalletLinksSchema = z
  .object({
    google: z.object({ saveUrl: z.url().meta({ description: 'Opens "Save to Google Wallet"' }) }).nullable(),
    apple: z.object({ passUrl: z.string().meta({ description: 'The .pkpass to download, on this API' }) }).nullable(),
  })
  .meta({ id: 'WalletLinks', description: 'A wallet is null when the retailer has not configured it, or the member has no active card' });

export type WalletSettingsView = z.infer<typeof WalletSettingsSchema>;

const StoredGoogle = GoogleIssuerSchema.omit({ updatedAt: true });
const StoredApple = AppleIssuerSchema.omit({ updatedAt: true });

/** What the row's settings hold that may be shown: the settings column only, never secret_enc. */
export const googleSettingsOf = (row: WalletIssuerRow) => StoredGoogle.parse(row.settings);
export const appleSettingsOf = (row: WalletIssuerRow) => StoredApple.parse(row.settings);

export function toWalletSettingsView(rows: WalletIssuerRow[]): WalletSettingsView {
  const google = rows.find((row) => row.provider === 'google');
  const apple = rows.find((row) => row.provider === 'apple');
  return {
    google: google ? { ...googleSettingsOf(google), updatedAt: google.updated_at.toISOString() } : null,
    apple: apple ? { ...appleSettingsOf(apple), updatedAt: apple.updated_at.toISOString() } : null,
  };
}
