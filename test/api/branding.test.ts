import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { newCardStock } from '../support/cards.ts';
import { newMember, newStaff, newTenant, type Tenant } from '../support/factories.ts';
import { dataUrl, gif, hexToRgba, noisePng, paletteLogoPng, rawPng, rgbaPng, solidJpeg } from '../support/images.ts';
import { colorAt, pdfImages } from '../support/pdf-inspect.ts';
import { decodeQrCodes } from '../support/qr-decode.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The retailer's colours and logo: settings, the public logo, and printed cards read back with
// Poppler (pixels, embedded images) and ZBar (the QR still scans to the member).

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

const DEFAULTS = { primaryColor: '#0f766e', textColor: '#ffffff', logoUrl: null, logoUpdatedAt: null };
// Millimetres from the card's top-left corner: the coloured area left of the names and below the
// logo box, inside the logo box (from 4 mm, 13 mm high; clear of the name when there is no
// logo), and the margin of the QR's white panel. On a stock sheet the first card starts at
// (15.4, 5.5) mm.
const BACKGROUND = { x: 2, y: 30 };
const LOGO = { x: 6, y: 14 };
const PANEL = { x: 47, y: 2 };
const SHEET_CARD = { x: 15.4, y: 5.5 };

const branding = (tenant: Tenant) => tenant.owner.get('/api/v1/settings/branding');
const putLogo = (tenant: Tenant, image: string) => tenant.owner.put('/api/v1/settings/branding/logo').send({ image });

async function cardPdf(tenant: Tenant, memberId: string): Promise<Buffer> {
  const res = await tenant.owner.get(`/api/v1/members/${memberId}/card.pdf`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

async function stockSheet(tenant: Tenant): Promise<Buffer> {
  const stock = await newCardStock(tenant, 3);
  const res = await tenant.owner.get(`/api/v1/cards/stock/${stock.batchId}/sheet.pdf`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

const publicLogo = (slug: string, etag?: string) => {
  const req = app.http.get(`/api/v1/public/tenants/${slug}/logo`);
  if (etag) req.set('If-None-Match', etag);
  return req.buffer(true).parse(binary);
};

async function auditOf(tenant: Tenant) {
  return app.deps.db
    .selectFrom('audit_log')
    .select(['action', 'actor_id', 'details'])
    .where('tenant_id', '=', tenant.id)
    .where('action', 'like', 'settings.branding.%')
    .orderBy('id')
    .execute();
}

/** The QR decodes, and what it carries scans to `memberId`. */
async function expectScansTo(tenant: Tenant, pdf: Buffer, memberId: string) {
  const codes = decodeQrCodes(pdf);
  expect(codes).toHaveLength(1);
  const res = await tenant.owner.post('/api/v1/scan').send({ code: codes[0] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.member.id).toBe(memberId);
}

/** Within `tolerance` per channel: the rasteriser may round a channel by one. */
function expectColor(actual: string, expected: string, tolerance = 2) {
  const a = hexToRgba(actual);
  const e = hexToRgba(expected);
  expect(a.slice(0, 3).every((c, i) => Math.abs(c - e[i]) <= tolerance), `${actual} should be ${expected}`).toBe(true);
}

/** A square logo: `color` with a transparent border of a tenth of its side. */
const squareLogo = (side: number, color: string) => {
  const border = Math.floor(side / 10);
  const inside = (v: number) => v >= border && v < side - border;
  return rgbaPng(side, side, (x, y) => (inside(x) && inside(y) ? hexToRgba(color) : [0, 0, 0, 0]));
};

describe('colours', () => {
  it('starts with teal and white, no logo, in the settings and the public profile', async () => {
    const tenant = await newTenant(app);
    const res = await branding(tenant);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULTS);
    const profile = await app.http.get(`/api/v1/public/tenants/${tenant.slug}`);
    expect(profile.body.brand).toEqual({ primaryColor: '#0f766e', textColor: '#ffffff', logoUrl: null });
    expect(profile.body.name).toBe(`Toko ${tenant.slug.slice(2)}`);
  });

  it('stores colours in lower case and prints the card in them, its QR still scanning to the member', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const res = await tenant.owner.patch('/api/v1/settings/branding').send({ primaryColor: '#1E3A8A', textColor: '#FDE68A' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ ...DEFAULTS, primaryColor: '#1e3a8a', textColor: '#fde68a' });
    expect((await branding(tenant)).body.primaryColor).toBe('#1e3a8a');
    expect((await app.http.get(`/api/v1/public/tenants/${tenant.slug}`)).body.brand.primaryColor).toBe('#1e3a8a');

    const pdf = await cardPdf(tenant, member.id);
    expectColor(colorAt(pdf, BACKGROUND.x, BACKGROUND.y), '#1e3a8a');
    expectColor(colorAt(pdf, PANEL.x, PANEL.y), '#ffffff');
    await expectScansTo(tenant, pdf, member.id);
    expect(pdfImages(pdf)).toEqual([]);
    expectColor(colorAt(await stockSheet(tenant), SHEET_CARD.x + BACKGROUND.x, SHEET_CARD.y + BACKGROUND.y), '#1e3a8a');

    // One colour alone keeps the other.
    expect((await tenant.owner.patch('/api/v1/settings/branding').send({ textColor: '#ffffff' })).body)
      .toMatchObject({ primaryColor: '#1e3a8a', textColor: '#ffffff' });
    const audit = await auditOf(tenant);
    expect(audit.map((row) => [row.action, row.actor_id, row.details])).toEqual([
      ['settings.branding.updated', tenant.ownerId, { primaryColor: '#1e3a8a', textColor: '#fde68a' }],
      ['settings.branding.updated', tenant.ownerId, { textColor: '#ffffff' }],
    ]);
  });

  it('refuses a pair below 3:1 contrast naming the field and the ratio, and bad colours; nothing changes', async () => {
    const tenant = await newTenant(app);
    const cases: Array<[Record<string, string>, string, RegExp?]> = [
      [{ primaryColor: '#ffff00' }, 'body.primaryColor', /1\.07:1/], // yellow under the white text
      [{ primaryColor: '#777777', textColor: '#888888' }, 'body.textColor', /1\.\d\d:1/],
      [{ textColor: '#14857b' }, 'body.textColor', /:1/], // teal on teal
      [{ primaryColor: 'red' }, 'body.primaryColor'],
      [{ primaryColor: '#12345' }, 'body.primaryColor'],
      [{ textColor: '#gg0000' }, 'body.textColor'],
    ];
    for (const [body, path, message] of cases) {
      const res = await tenant.owner.patch('/api/v1/settings/branding').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
      if (message) expect(res.body.detail).toMatch(message);
    }
    expect((await branding(tenant)).body).toEqual(DEFAULTS);
    expect(await auditOf(tenant)).toEqual([]);
  });

  it('lets a cashier read the branding but not change it', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.get('/api/v1/settings/branding')).status).toBe(200);
    expect((await cashier.agent.patch('/api/v1/settings/branding').send({ primaryColor: '#1e3a8a' })).status).toBe(403);
    expect((await cashier.agent.put('/api/v1/settings/branding/logo').send({ image: dataUrl(squareLogo(128, '#dc2626')) })).status).toBe(403);
    expect((await cashier.agent.delete('/api/v1/settings/branding/logo')).status).toBe(403);
    expect((await app.http.get('/api/v1/settings/branding')).status).toBe(401);
    expect((await branding(tenant)).body).toEqual(DEFAULTS);
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.patch('/api/v1/settings/branding').send({ primaryColor: '#1e3a8a' })).status).toBe(200);
  });
});

describe('logo', () => {
  it('prints an uploaded PNG on the card and the stock sheet, and serves it publicly with an ETag', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const png = squareLogo(128, '#dc2626');
    const res = await putLogo(tenant, dataUrl(png));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.logoUrl).toMatch(new RegExp(`^/api/v1/public/tenants/${tenant.slug}/logo\\?v=\\d+$`));
    expect(Date.parse(res.body.logoUpdatedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await app.http.get(`/api/v1/public/tenants/${tenant.slug}`)).body.brand.logoUrl).toBe(res.body.logoUrl);

    const pdf = await cardPdf(tenant, member.id);
    const images = pdfImages(pdf).filter((image) => image.type === 'image');
    expect(images).toHaveLength(1);
    expect([images[0].width, images[0].height]).toEqual([128, 128]);
    expectColor(colorAt(pdf, LOGO.x, LOGO.y), '#dc2626');
    expectColor(colorAt(pdf, BACKGROUND.x, BACKGROUND.y), '#0f766e');
    await expectScansTo(tenant, pdf, member.id);

    const sheet = pdfImages(await stockSheet(tenant)).filter((image) => image.type === 'image');
    expect(sheet).toHaveLength(3); // drawn on each of the 3 cards…
    expect(new Set(sheet.map((image) => image.object)).size).toBe(1); // …embedded once

    const served = await publicLogo(tenant.slug);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=300');
    expect(Buffer.compare(served.body as Buffer, png)).toBe(0);
    const etag = served.headers.etag as string;
    expect(etag).toMatch(/^"logo-\d+"$/);
    const revalidated = await publicLogo(tenant.slug, etag);
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(etag);
    expect((await publicLogo(tenant.slug, `"other", W/${etag}`)).status).toBe(304);
    expect((await publicLogo(tenant.slug, '"stale"')).status).toBe(200);

    const [audit] = await auditOf(tenant);
    expect(audit.action).toBe('settings.branding.logo_uploaded');
    expect(audit.details).toEqual({ type: 'image/png', bytes: png.length, width: 128, height: 128 });
  });

  it('prints a JPEG as a JPEG, and serves it as one', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const jpeg = await solidJpeg(240, 80, '#2563eb');
    // The declared type does not matter: the bytes say JPEG.
    expect((await putLogo(tenant, dataUrl(jpeg, 'image/png'))).status).toBe(200);
    const pdf = await cardPdf(tenant, member.id);
    const images = pdfImages(pdf);
    expect(images.map((image) => [image.type, image.encoding, image.width, image.height])).toEqual([['image', 'jpeg', 240, 80]]);
    expectColor(colorAt(pdf, LOGO.x, LOGO.y), '#2563eb', 6); // 3:1 fills the box's width: 37.6 × 12.5 mm
    await expectScansTo(tenant, pdf, member.id);
    const served = await publicLogo(tenant.slug);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(served.body as Buffer, jpeg)).toBe(0);
  });

  it('prints a 4-bit palette PNG with transparency, which PDFKit alone draws as wholly transparent', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    // Inked on the left half, transparent on the right: the card's colour shows through there.
    const png = paletteLogoPng(65, 65, '#dc2626', (x) => x < 32);
    expect((await putLogo(tenant, dataUrl(png))).status).toBe(200);
    const pdf = await cardPdf(tenant, member.id);
    expectColor(colorAt(pdf, 5, LOGO.y), '#dc2626'); // 13 mm wide from 4 mm: inked up to 10.4 mm
    expectColor(colorAt(pdf, 14, LOGO.y), '#0f766e');
    await expectScansTo(tenant, pdf, member.id);
  });

  it('refuses anything but a readable PNG or JPEG of a sensible size, naming body.image; nothing changes', async () => {
    const tenant = await newTenant(app);
    const first = squareLogo(128, '#dc2626');
    const kept = (await putLogo(tenant, dataUrl(first))).body;
    const good = squareLogo(96, '#16a34a');
    const opaque = (side: number) =>
      ({ width: side, height: side, colorType: 6 as const, depth: 8, rows: Array(side).fill(Buffer.alloc(side * 4, 0x80)) });
    const damaged = Buffer.from(good);
    damaged[damaged.length - 20] ^= 0xff; // inside the image data: its CRC no longer matches
    const cases: Array<[string, string, RegExp]> = [
      ['a GIF', dataUrl(gif(128, 128), 'image/gif'), /PNG and JPEG.*GIF/],
      ['text disguised as PNG', dataUrl(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/> not a picture')), /PNG and JPEG/],
      ['a PNG signature before text', dataUrl(Buffer.concat([good.subarray(0, 8), Buffer.from('hello, world, this is text')])), /cannot be read/],
      ['a cut-off PNG', dataUrl(good.subarray(0, Math.floor(good.length / 2))), /cannot be read/],
      ['a damaged PNG', dataUrl(damaged), /cannot be read/],
      // Intact chunks, but a row filter that does not exist: PDFKit would throw it outside any handler.
      ['an unknown row filter', dataUrl(rawPng({ ...opaque(96), filterOf: (y) => (y === 3 ? 7 : 0) })), /cannot be read.*filter/],
      ['a JPEG header alone', dataUrl(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0])), /cannot be read/],
      ['too small', dataUrl(squareLogo(32, '#dc2626')), /32×32 px.*at least 64/],
      ['too thin', dataUrl(rgbaPng(300, 40, () => [0, 0, 0, 255])), /300×40 px.*at least 64/],
      ['too wide', dataUrl(rawPng({ width: 2049, height: 64, colorType: 0, depth: 8, rows: Array(64).fill(Buffer.alloc(2049)) })), /2049×64 px.*at most 2048/],
      ['too many bytes', dataUrl(noisePng(320, 320)), /KiB.*at most 256 KiB/],
      ['not a data URL', good.toString('base64'), /data URL/],
      ['broken base64', 'data:image/png;base64,iVBORw0K!!!', /data URL/],
    ];
    for (const [what, image, message] of cases) {
      const res = await putLogo(tenant, image);
      expect(res.status, what).toBe(400);
      expect(res.body.errors, what).toEqual([{ path: 'body.image', message: expect.stringMatching(message) }]);
    }
    expect((await putLogo(tenant, '')).body.errors[0].path).toBe('body.image');
    expect((await branding(tenant)).body).toEqual(kept);
    expect(Buffer.compare((await publicLogo(tenant.slug)).body as Buffer, first)).toBe(0);
    expect((await auditOf(tenant)).map((row) => row.action)).toEqual(['settings.branding.logo_uploaded']);
    // The unknown filter's twin with filter 0 everywhere is taken: that byte alone was wrong.
    expect((await putLogo(tenant, dataUrl(rawPng(opaque(96))))).status).toBe(200);
  });

  it('removes the logo: cards without an image, the public logo back to Kartu’s mark', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const uploaded = await putLogo(tenant, dataUrl(squareLogo(128, '#dc2626')));
    const uploadedTag = (await publicLogo(tenant.slug)).headers.etag;

    const removed = await tenant.owner.delete('/api/v1/settings/branding/logo');
    expect(removed.status).toBe(204);
    expect((await branding(tenant)).body).toEqual(DEFAULTS);
    expect((await app.http.get(`/api/v1/public/tenants/${tenant.slug}`)).body.brand.logoUrl).toBeNull();
    const pdf = await cardPdf(tenant, member.id);
    expect(pdfImages(pdf)).toEqual([]);
    expectColor(colorAt(pdf, LOGO.x, LOGO.y), '#0f766e');

    const fallback = await publicLogo(tenant.slug);
    expect(fallback.status).toBe(200);
    expect(fallback.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(fallback.body as Buffer, readFileSync(join(repoRoot, 'api/assets/default-logo.png')))).toBe(0);
    expect(fallback.headers.etag).not.toBe(uploadedTag);
    expect((await publicLogo(tenant.slug, fallback.headers.etag)).status).toBe(304);
    expect((await app.http.get(uploaded.body.logoUrl)).headers['content-type']).toBe('image/png'); // an old URL still answers

    expect((await tenant.owner.delete('/api/v1/settings/branding/logo')).status).toBe(204); // nothing left: no change
    expect((await auditOf(tenant)).map((row) => [row.action, row.details])).toEqual([
      ['settings.branding.logo_uploaded', expect.any(Object)],
      ['settings.branding.logo_removed', {}],
    ]);
  });

  it('answers 404 for an unknown retailer’s logo', async () => {
    expect((await publicLogo('no-such-shop')).status).toBe(404);
    expect((await publicLogo('default')).status).toBe(404);
  });
});
