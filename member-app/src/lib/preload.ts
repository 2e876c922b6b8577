// The requests the card needs first (retailer, member, card) are started by a small inline script
// in the page (hooks.server.ts) while the app's JavaScript still downloads; the app's first request
// for each URL takes that answer, once. They are made on this page load, so they are never stale.

interface Preloaded {
  sentAt: number;
  answer: Promise<{ response: Response; receivedAt: number } | null>;
}

declare global {
  interface Window {
    __kartuPreload?: Record<string, Preloaded>;
  }
}

/** The inline script for a retailer's page: `slug` is checked by the caller (lower-case letters, digits, hyphens). */
export function preloadScript(slug: string): string {
  const urls = [`/api/v1/public/tenants/${slug}`, `/api/v1/me?slug=${slug}`, '/api/v1/me/card'];
  return `<script>(function(){var p={};${JSON.stringify(urls)}.forEach(function(u){var s=Date.now();p[u]={sentAt:s,answer:fetch(u,{credentials:'same-origin'}).then(function(r){return{response:r,receivedAt:Date.now()}},function(){return null})}});window.__kartuPreload=p})()</script>`;
}

/** Older preloads are not used: the page's first screen has long asked for them. */
const FRESH_MS = 30_000;

/**
 * The preloaded answer for a GET of this URL, taken once; null when there is none, it failed or
 * was not a success. Only successes are used: a 401 from before the member signed in on this
 * page must not answer the request made after.
 */
export async function takePreloaded(request: Request): Promise<{ response: Response; sentAt: number; receivedAt: number } | null> {
  if (request.method !== 'GET' || typeof window === 'undefined') return null;
  const url = new URL(request.url);
  const key = url.pathname + url.search;
  const entry = window.__kartuPreload?.[key];
  if (!entry) return null;
  delete window.__kartuPreload![key];
  if (Date.now() - entry.sentAt > FRESH_MS) return null;
  const answer = await entry.answer;
  return answer?.response.ok ? { response: answer.response, sentAt: entry.sentAt, receivedAt: answer.receivedAt } : null;
}
