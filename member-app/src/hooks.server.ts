import type { Handle } from '@sveltejs/kit';
import { preloadScript } from '$lib/preload';

// A retailer's pages link that retailer's web app manifest (its name, colours and icons, served by
// the API), so the app a member installs from /app/<slug> is the shop's and opens at its card.
// Plain /app keeps the generic manifest in static/. The requests the card needs start at once
// (lib/preload.ts), not after the app's JavaScript has loaded.
const retailerPage = /^\/app\/([a-z0-9][a-z0-9-]{1,39})(?:\/|$)/;
const cardPage = /^\/app\/[^/]+\/?$/;

export const handle: Handle = ({ event, resolve }) => {
  const slug = retailerPage.exec(event.url.pathname)?.[1];
  if (!slug) return resolve(event);
  return resolve(event, {
    transformPageChunk: ({ html }) =>
      html
        .replace(/<link rel="manifest" href="[^"]*"/, `<link rel="manifest" href="/api/v1/public/tenants/${slug}/manifest"`)
        // First in the head: before the stylesheets (which would hold an inline script back) and before the
        // module preloads take the browser's six connections to the server.
        .replace('<meta charset="utf-8" />', (charset) => (cardPage.test(event.url.pathname) ? charset + preloadScript(slug) : charset)),
  });
};
