/** A new Idempotency-Key (UUIDv4) for one attempt of a request; a retry of the same attempt reuses it. */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts; the app opened over plain http on a shop's network still needs keys.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface Answer {
  response: Response;
  error?: unknown;
}

/**
 * Whether the server decided for good: a 4xx other than "too many requests" or "the same request
 * is still running". Otherwise (offline, 5xx) the outcome is unknown and the retry keeps the key.
 */
export function isFinal({ response, error }: Answer): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429 && code !== 'idempotency_in_progress');
}
