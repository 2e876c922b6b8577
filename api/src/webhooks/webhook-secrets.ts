import { decryptSecret, encryptSecret } from '../shared/crypto.ts';

// Signing secrets are sealed with KARTU_SECRET_KEY, bound to their tenant and subscription.
const context = (tenantId: string, webhookId: string) => `webhook-secret|${tenantId}|${webhookId}`;

export const sealWebhookSecret = (masterKey: Buffer, tenantId: string, webhookId: string, secret: string) =>
  encryptSecret(masterKey, Buffer.from(secret), context(tenantId, webhookId));

export const openWebhookSecret = (masterKey: Buffer, tenantId: string, webhookId: string, sealed: string) =>
  decryptSecret(masterKey, sealed, context(tenantId, webhookId)).toString();
