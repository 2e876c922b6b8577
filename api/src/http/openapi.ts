import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { Routes } from './route.ts';

const documents = new WeakMap<Routes, ReturnType<typeof buildOpenApiDocument>>();

/** The document of these routes, built once. */
export function openApiDocumentOf(routes: Routes) {
  let document = documents.get(routes);
  if (!document) documents.set(routes, (document = buildOpenApiDocument(routes)));
  return document;
}

export function buildOpenApiDocument(routes: Routes) {
  const document = new OpenApiGeneratorV31(routes.registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Kartu API',
      version: '1.0.0',
      description:
        'Loyalty and membership cards for retailers. Amounts are integers in minor units of the tenant currency ' +
        '(IDR: Rp 1 = 100); points are integers. Errors are application/problem+json. POST calls marked with a required ' +
        'Idempotency-Key replay the first response for the same key and body, answer 422 for the same key with another ' +
        'body, and 409 (idempotency-in-progress, with Retry-After) while the first is still running; after a 503 `timeout` (with ' +
        'Retry-After) the work may still finish, so retry with the same key. Every answer carries an ' +
        'X-Request-Id (yours, when you send one) to quote in a support request. A POS integration guide is in docs/pos-integration.md.',
    },
    servers: [{ url: '/' }],
  });
  withoutRegexFlags(document);
  return document;
}

/**
 * zod-to-openapi writes a flagged regex's pattern as `source/u` (it trims only the slashes of
 * `/source/`); JSON Schema patterns take no flags (they are read with Unicode semantics), so a
 * client validating against `…$/u` would refuse every value.
 */
function withoutRegexFlags(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(withoutRegexFlags);
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'pattern' && typeof value === 'string') record[key] = value.replace(/\/[dgimsuvy]+$/, '');
    else withoutRegexFlags(value);
  }
}

export const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kartu API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;

export const docsInit = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true });`;
