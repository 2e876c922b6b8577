import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { createKartuClient, problemText, type ProblemLike } from '@kartu/api/client';
import { i18n, t } from './i18n.svelte';

/** The API on the same origin; the staff session cookie goes along. */
export const api = createKartuClient();

/** application/problem+json as the API renders every error. */
export interface Problem extends ProblemLike {
  type?: string;
}

/** A failed call: `status` 0 means the server was not reached. */
export interface Failure {
  status: number;
  message: string;
  problem?: Problem;
}

export type Result<T> = { data: T; failure?: undefined } | { data?: undefined; failure: Failure };

/**
 * Awaits a client call and turns an error into a message to show. A 401 sends the browser to the
 * sign-in page unless the caller handles it itself (`signInOn401: false`).
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  { signInOn401 = true } = {},
): Promise<Result<T>> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch {
    return { failure: { status: 0, message: t('error.network') } };
  }
  const { data, error, response } = result;
  if (response.ok) return { data: data as T };
  if (response.status === 401 && signInOn401) void goto(resolve('/login'));
  const problem = typeof error === 'object' && error !== null ? (error as Problem) : undefined;
  // Known codes in the cashier's language; otherwise `detail`, which names the fields that are wrong.
  const message = problemText(problem, i18n.locale) || t('error.generic');
  return { failure: { status: response.status, message, problem } };
}

/** The `data` of a successful `call`, for typing state from a request function. */
export type DataOf<F extends (...args: never[]) => Promise<Result<unknown>>> = NonNullable<
  Awaited<ReturnType<F>>['data']
>;

/** A new Idempotency-Key (UUIDv4). */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts; a till on plain http in the shop's network still needs keys.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
