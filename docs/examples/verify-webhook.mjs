import { createHmac, timingSafeEqual } from 'node:crypto';

const TOLERANCE_SECONDS = 5 * 60;

/**
 * Checks a Kartu webhook: `secret` is the subscription's `whsec_…` secret, `headers` the request's
 * headers (lower-case names, as Node gives them), `rawBody` the body exactly as received (a string
 * or Buffer, before any JSON parsing). Returns the parsed event, or throws.
 */
export function verifyKartuWebhook(secret, headers, rawBody, now = Date.now()) {
  const timestamp = Number(headers['kartu-webhook-timestamp']);
  const signature = String(headers['kartu-webhook-signature'] ?? '');
  if (!Number.isInteger(timestamp)) throw new Error('missing Kartu-Webhook-Timestamp');
  if (Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS) throw new Error('timestamp too old (or in the future): a replay?');

  const body = Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad signature');
  return JSON.parse(body);
}
