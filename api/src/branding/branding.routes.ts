import { z } from 'zod';
import type { Routes } from '../http/route.ts';
import { BrandColorsInput, BrandingSchema } from './branding.mapper.ts';
import { getBranding, publicLogo, removeLogo, updateColors, uploadLogo } from './branding.service.ts';
import { MAX_LOGO_SIDE, MIN_LOGO_SIDE } from './logo-image.ts';
import { APP_ICON_SIZES } from './app-icon.ts';
import { WebManifestSchema } from './web-app.mapper.ts';
import { appIcon, webManifest } from './web-app.service.ts';

/** If-None-Match names `etag` (a list, weak or strong, or `*`). */
export function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

export function brandingRoutes(routes: Routes) {
  routes.add({
    method: 'get',
    path: '/api/v1/settings/branding',
    summary: 'The retailer’s card and app colours and its logo',
    tags: ['Settings'],
    auth: { principals: ['staff', 'api_key'], permission: 'members.read' },
    responses: { 200: { description: 'Branding', schema: BrandingSchema } },
    handler: async ({ db, principal }) => ({ status: 200, body: await getBranding(db, principal) }),
  });

  routes.add({
    method: 'patch',
    path: '/api/v1/settings/branding',
    summary: 'Change the card and app colours, audit-logged',
    description:
      'Either colour or both, as `#rrggbb` in any case (stored lower case). The text colour on the primary colour must reach a WCAG contrast ratio of 3:1, or the names on the card cannot be read: a lower pair is refused with 400 naming the field and the ratio. Printed cards, stock sheets and the member app follow at once.',
    tags: ['Settings'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: BrandColorsInput,
    responses: { 200: { description: 'Branding', schema: BrandingSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await updateColors(db, principal, body) }),
  });

  routes.add({
    method: 'put',
    path: '/api/v1/settings/branding/logo',
    summary: 'Upload the retailer’s logo (PNG or JPEG as a data URL), audit-logged',
    description:
      `\`image\` is a data URL (\`data:image/png;base64,…\`). The type is read from the bytes, not the declared type: PNG or JPEG only, at most 256 KiB, at least ${MIN_LOGO_SIDE} px on the short side and at most ${MAX_LOGO_SIDE} px on each side. Anything else is refused with 400 naming \`body.image\`. The logo is printed at the top-left of cards and shown in the member app.`,
    tags: ['Settings'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    body: z.object({ image: z.string().min(1).meta({ description: 'A data URL: data:image/png;base64,… or data:image/jpeg;base64,…' }) }),
    responses: { 200: { description: 'Branding with the new logo', schema: BrandingSchema } },
    handler: async ({ db, principal, body }) => ({ status: 200, body: await uploadLogo(db, principal, body.image) }),
  });

  routes.add({
    method: 'delete',
    path: '/api/v1/settings/branding/logo',
    summary: 'Remove the retailer’s logo, audit-logged; cards show the name alone again',
    tags: ['Settings'],
    auth: { principals: ['staff', 'api_key'], permission: 'programs.manage' },
    responses: { 204: { description: 'Removed (or there was none)' } },
    handler: async ({ db, principal }) => {
      await removeLogo(db, principal);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}/logo',
    summary: 'A retailer’s logo, public (member app, Google Wallet); Kartu’s mark when it has none',
    description:
      'The uploaded PNG or JPEG with its content type, or a default PNG. Cacheable for 5 minutes; send the `ETag` back in `If-None-Match` for a 304. `v` is ignored: the logo URLs the API hands out carry it so a new logo is fetched at once.',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40) }),
    query: z.object({ v: z.string().max(40).optional() }),
    responses: {
      200: { description: 'The image', schema: z.string().meta({ format: 'binary' }), contentType: 'image/png' },
      304: { description: 'Not modified: the If-None-Match ETag is current' },
      404: { description: 'No such retailer' },
    },
    handler: async ({ db, params }, ctx) => {
      const logo = await publicLogo(db, params.slug);
      const headers = { ETag: logo.etag, 'Cache-Control': 'public, max-age=300' };
      const ifNoneMatch = ctx.get('If-None-Match');
      if (ifNoneMatch && matches(ifNoneMatch, logo.etag)) return { status: 304, headers };
      return { status: 200, body: logo.bytes, headers: { ...headers, 'Content-Type': logo.type } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}/manifest',
    summary: 'The member app’s web app manifest in the retailer’s name, colours and icons',
    description:
      'What a phone installs from `/app/{slug}`: `start_url` is the retailer’s card, `display` standalone, the theme and splash colours are the retailer’s primary colour, and the 192 and 512 px icons (`any` and `maskable`) are drawn from its PNG logo or, without one, Kartu’s card mark in its colours. Served as `application/manifest+json`, cacheable for 5 minutes with an `ETag`.',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40) }),
    responses: {
      200: { description: 'The manifest', schema: WebManifestSchema, contentType: 'application/manifest+json' },
      304: { description: 'Not modified: the If-None-Match ETag is current' },
      404: { description: 'No such retailer' },
    },
    handler: async ({ db, params }, ctx) => {
      const { manifest, etag } = await webManifest(db, params.slug);
      const headers = { ETag: etag, 'Cache-Control': 'public, max-age=300' };
      const ifNoneMatch = ctx.get('If-None-Match');
      if (ifNoneMatch && matches(ifNoneMatch, etag)) return { status: 304, headers };
      // A string body keeps the manifest's own content type (Koa would label an object application/json).
      return { status: 200, body: JSON.stringify(manifest), headers: { ...headers, 'Content-Type': 'application/manifest+json; charset=utf-8' } };
    },
  });

  routes.add({
    method: 'get',
    path: '/api/v1/public/tenants/{slug}/app-icon',
    summary: 'The installed member app’s icon (PNG, 192 or 512 px) in the retailer’s branding',
    description:
      'A square opaque PNG: the retailer’s primary colour edge to edge (maskable) with its PNG logo, or Kartu’s card mark in its colours, inside the centred safe zone. `v` is ignored: the manifest’s icon URLs carry it so a new logo or colour is fetched at once.',
    tags: ['Member app'],
    auth: 'public',
    params: z.object({ slug: z.string().max(40) }),
    query: z.object({
      size: z.enum(APP_ICON_SIZES.map(String) as ['192', '512']).meta({ description: 'Side in pixels' }),
      v: z.string().max(40).optional(),
    }),
    responses: {
      200: { description: 'The icon', schema: z.string().meta({ format: 'binary' }), contentType: 'image/png' },
      304: { description: 'Not modified: the If-None-Match ETag is current' },
      404: { description: 'No such retailer' },
    },
    handler: async ({ db, params, query }, ctx) => {
      const icon = await appIcon(db, params.slug, Number(query.size) as 192 | 512);
      const headers = { ETag: icon.etag, 'Cache-Control': 'public, max-age=300' };
      const ifNoneMatch = ctx.get('If-None-Match');
      if (ifNoneMatch && matches(ifNoneMatch, icon.etag)) return { status: 304, headers };
      return { status: 200, body: icon.bytes, headers: { ...headers, 'Content-Type': 'image/png' } };
    },
  });
}
