import { createHmac, randomBytes } from 'node:crypto';

// The signature a receiver checks (docs/webhooks.md): HMAC-SHA256, keyed with the secret string as
// shown (`whsec_…`), over "<unix seconds>.<body>", sent as `v1=<hex>`.

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one attempt: the delivery id stays the same across retries so receivers can de-duplicate. */
export function webhookHeaders(secret: string, deliveryId: string, body: string, at: Date): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Kartu-Webhooks',
    'Kartu-Webhook-Id': deliveryId,
    'Kartu-Webhook-Timestamp': String(timestamp),
    'Kartu-Webhook-Signature': webhookSignature(secret, timestamp, body),
  };
}
