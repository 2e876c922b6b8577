/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { base, build, files, version } from '$service-worker';

// Lets the installed app open without data: the app's own files are cached at install (cache-first:
// their names change with each build), pages are fetched from the network first and the last copy
// is used offline. API calls are never touched here: the data is always the server's answer when
// there is a connection, and what the app saved itself (the card and the last balance, forgotten on
// sign-out) when there is none. No member data is cached by this worker.

const sw = self as unknown as ServiceWorkerGlobalScope;

const ASSETS = `assets-${version}`;
const PAGES = 'pages';
const SHELL = `${base}/`;
const assets = new Set([...build, ...files]);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      await (await caches.open(ASSETS)).addAll([...assets]);
      // Every page is the same single-page shell (no server rendering): one copy opens any of them.
      const shell = await fetch(SHELL).catch(() => null);
      if (shell?.ok) await (await caches.open(PAGES)).put(SHELL, shell);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== ASSETS && key !== PAGES) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

async function fromAssets(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: ASSETS });
  return cached ?? fetch(request);
}

async function page(request: Request, url: URL): Promise<Response> {
  const key = url.origin + url.pathname;
  const pages = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await pages.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = (await pages.match(key)) ?? (await pages.match(SHELL));
    if (cached) return cached;
    throw error;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (assets.has(url.pathname)) event.respondWith(fromAssets(request));
  else if (request.mode === 'navigate' && url.pathname.startsWith(SHELL)) event.respondWith(page(request, url));
});
