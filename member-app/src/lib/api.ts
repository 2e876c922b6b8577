import { createKartuClient, problemText, type paths, type ProblemLike } from '@kartu/api/client';
import { noteDateHeader } from './card-store';
import { takePreloaded } from './preload';
import { i18n, t } from './i18n.svelte';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Tenant = Json<'/api/v1/public/tenants/{slug}', 'get'>;
export type Member = Json<'/api/v1/me', 'get'>;
export type Card = Json<'/api/v1/me/card', 'get'>;
export type Points = Json<'/api/v1/me/points', 'get'>;
export type PointEntry = Points['entries']['items'][number];
export type TierProgress = Json<'/api/v1/me/tier', 'get'>;
export type Wallets = Json<'/api/v1/me/wallets', 'get'>;
export type SignupForm = Json<'/api/v1/public/tenants/{slug}/signup-form', 'get'>;
export type MemberReferrals = Json<'/api/v1/me/referrals', 'get'>;
export type MemberOffer = Json<'/api/v1/me/offers', 'get'>['items'][number];

type Problem = ProblemLike & { errors?: FieldError[] };
export interface FieldError {
  path: string;
  message: string;
}

/** The fields a 400 names (`errors[].path`, e.g. `body.referralCode`), to show each message at its input. */
export function fieldErrors(error: unknown): FieldError[] {
  const errors = typeof error === 'object' && error !== null ? (error as Problem).errors : undefined;
  return Array.isArray(errors) ? errors : [];
}

const OFFLINE_HEADER = 'x-kartu-offline';

/** The request never reached the server (no signal, server down): the app falls back to what the phone saved. */
export const unreachable = (response: Response): boolean => response.headers.has(OFFLINE_HEADER);

const timings = new WeakMap<Response, { sentAt: number; receivedAt: number }>();

/** When a response's request was sent and its answer received (phone clock), for the clock offset. */
export const requestTiming = (response: Response) => timings.get(response) ?? { sentAt: Date.now(), receivedAt: Date.now() };

/**
 * Asks for problem details in the language chosen in the app. A failed fetch (no signal,
 * server down) becomes a 503 problem, so every caller handles it like any other API error
 * instead of needing its own try/catch.
 */
async function send(request: Request): Promise<Response> {
  request.headers.set('Accept-Language', i18n.locale);
  try {
    const preloaded = await takePreloaded(request);
    const sentAt = preloaded?.sentAt ?? Date.now();
    const response = preloaded?.response ?? (await fetch(request));
    const timing = { sentAt, receivedAt: preloaded?.receivedAt ?? Date.now() };
    timings.set(response, timing);
    noteDateHeader(response.headers.get('Date'), timing.sentAt, timing.receivedAt);
    return response;
  } catch {
    const problem = { title: 'Offline', status: 503, detail: t('error.offline') };
    return new Response(JSON.stringify(problem), {
      status: 503,
      headers: { 'content-type': 'application/problem+json', [OFFLINE_HEADER]: '1' },
    });
  }
}

export const api = createKartuClient({ fetch: send });

/** The message to show for an API error: in the member's language for known codes, else the detail; and any wait. */
export function problemMessage(error: unknown, response?: Response): string {
  const problem: Problem = typeof error === 'object' && error !== null ? (error as Problem) : {};
  const fields = problem.errors?.map((field) => field.message).join('; ');
  const parts = [problemText(problem, i18n.locale) || fields || t('error.generic')];
  const wait = Number(response?.headers.get('Retry-After'));
  if (response?.status === 429 && wait > 0) {
    parts.push(wait < 120 ? t('error.waitSeconds', { seconds: wait }) : t('error.waitMinutes', { minutes: Math.ceil(wait / 60) }));
  }
  return parts.join(' ');
}
