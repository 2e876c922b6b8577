import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../api/src/branding/png.ts';
import { newTenant, type Tenant } from '../support/factories.ts';
import { dataUrl, hexToRgba, rgbaPng } from '../support/images.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The member app's installable manifest and icons follow the retailer's branding: name, colours,
// logo. Chromium's installability needs start_url, scope, display standalone and 192/512 icons.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

type BinaryParser = Parameters<ReturnType<TestApp['http']['get']>['parse']>[0];
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BinaryParser;

const manifestOf = async (slug: string) => {
  const res = await app.http.get(`/api/v1/public/tenants/${slug}/manifest`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/manifest\+json/);
  return { manifest: JSON.parse((res.body as Buffer).toString('utf8')), etag: res.headers.etag as string };
};

async function iconAt(src: string) {
  const res = await app.http.get(src).buffer(true).parse(binary);
  expect(res.status, src).toBe(200);
  expect(res.headers['content-type']).toBe('image/png');
  return decodePng(res.body as Buffer, 1024 * 1024);
}

function pixel(image: ReturnType<typeof decodePng>, x: number, y: number) {
  const i = (Math.floor(y) * image.width + Math.floor(x)) * 4;
  return Array.from(image.pixels.subarray(i, i + 4));
}

describe('web app manifest', () => {
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await newTenant(app, { locale: 'en' });
  });

  it('names the retailer, starts at its card and carries 192 and 512 px icons, any and maskable', async () => {
    const { manifest } = await manifestOf(tenant.slug);
    expect(manifest).toMatchObject({
      id: `/app/${tenant.slug}`,
      name: expect.stringMatching(/^Toko /),
      start_url: `/app/${tenant.slug}`,
      scope: '/app/',
      display: 'standalone',
      lang: 'en',
      theme_color: '#0f766e',
      background_color: '#0f766e',
    });
    expect(manifest.start_url.startsWith(manifest.scope)).toBe(true);
    const sizes = manifest.icons.map((icon: { sizes: string; purpose: string }) => `${icon.sizes} ${icon.purpose}`).sort();
    expect(sizes).toEqual(['192x192 any', '192x192 maskable', '512x512 any', '512x512 maskable']);
    for (const icon of manifest.icons) {
      const image = await iconAt(icon.src);
      expect(`${image.width}x${image.height}`).toBe(icon.sizes);
      // Edge to edge in the retailer's colour (a maskable icon has no transparent corners).
      expect(pixel(image, 0, 0)).toEqual(hexToRgba('#0f766e'));
    }
  });

  it('follows new colours and a PNG logo at once, with new icon URLs', async () => {
    const before = await manifestOf(tenant.slug);
    const colors = await tenant.owner.patch('/api/v1/settings/branding').send({ primaryColor: '#7c2d12', textColor: '#fde68a' });
    expect(colors.status).toBe(200);
    const recoloured = await manifestOf(tenant.slug);
    expect(recoloured.manifest.theme_color).toBe('#7c2d12');
    expect(recoloured.etag).not.toBe(before.etag);
    expect(recoloured.manifest.icons[0].src).not.toBe(before.manifest.icons[0].src);
    const mark = await iconAt(recoloured.manifest.icons.find((icon: { sizes: string }) => icon.sizes === '512x512').src);
    expect(pixel(mark, 5, 5)).toEqual(hexToRgba('#7c2d12'));
    // The card mark's body, in the text colour (icon.svg: the card spans 96–416 × 156–356).
    expect(pixel(mark, 300, 340)).toEqual(hexToRgba('#fde68a'));

    // A blue square logo with a transparent border: drawn centred, the border shows the primary colour.
    const logo = rgbaPng(100, 100, (x, y) => (x >= 10 && x < 90 && y >= 10 && y < 90 ? hexToRgba('#1d4ed8') : hexToRgba('#000000', 0)));
    expect((await tenant.owner.put('/api/v1/settings/branding/logo').send({ image: dataUrl(logo) })).status).toBe(200);
    const withLogo = await manifestOf(tenant.slug);
    expect(withLogo.manifest.icons[0].src).not.toBe(recoloured.manifest.icons[0].src);
    const icon = await iconAt(withLogo.manifest.icons.find((entry: { sizes: string }) => entry.sizes === '192x192').src);
    expect(pixel(icon, 96, 96)).toEqual(hexToRgba('#1d4ed8'));
    expect(pixel(icon, 3, 96)).toEqual(hexToRgba('#7c2d12'));
    // The logo stays inside the maskable safe zone (a centred circle of 40 % of the side).
    for (let y = 0; y < 192; y++) {
      for (let x = 0; x < 192; x++) {
        if (Math.hypot(x + 0.5 - 96, y + 0.5 - 96) > 0.4 * 192) expect(pixel(icon, x, y)).toEqual(hexToRgba('#7c2d12'));
      }
    }
  });

  it('answers 304 to a current ETag, 404 for an unknown retailer and 400 naming a bad size', async () => {
    const { etag, manifest } = await manifestOf(tenant.slug);
    const again = await app.http.get(`/api/v1/public/tenants/${tenant.slug}/manifest`).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    const iconRes = await app.http.get(manifest.icons[0].src);
    expect((await app.http.get(manifest.icons[0].src).set('If-None-Match', iconRes.headers.etag)).status).toBe(304);
    expect((await app.http.get('/api/v1/public/tenants/no-such-shop/manifest')).status).toBe(404);
    expect((await app.http.get('/api/v1/public/tenants/no-such-shop/app-icon?size=192')).status).toBe(404);
    const bad = await app.http.get(`/api/v1/public/tenants/${tenant.slug}/app-icon?size=64`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toContain('query.size');
  });
});
