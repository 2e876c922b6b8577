import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardCodeOf, newApiKey, newMember, newStaff, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The portal's QR of a member's card. Here: who may fetch it and which code it draws; the pixels
// are decoded with zbarimg in Chromium by test/e2e/qr-decode.test.ts.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const qrPath = (memberId: string) => `/api/v1/members/${memberId}/card/qr.svg`;

/** The SVG the API must answer for a code: the printed card's code, error correction M, 4-module quiet zone. */
const svgOf = (code: string) => QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });

async function qrSvg(tenant: Tenant, memberId: string): Promise<string> {
  const res = await tenant.owner.get(qrPath(memberId)).buffer(true);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Buffer.from(res.body as Buffer).toString('utf8');
}

describe('GET /api/v1/members/{id}/card/qr.svg', () => {
  it('draws the current card’s signed code as an uncached SVG for the owner', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const other = await newMember(tenant);

    const res = await tenant.owner.get(qrPath(member.id)).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const svg = Buffer.from(res.body as Buffer).toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/<script|on\w+=/i);
    const code = await cardCodeOf(app, tenant, member.id);
    expect(code).toMatch(/^K1\./);
    expect(svg).toBe(await svgOf(code));
    expect(await qrSvg(tenant, other.id)).toBe(await svgOf(await cardCodeOf(app, tenant, other.id)));
    expect(await qrSvg(tenant, other.id)).not.toBe(svg);
  });

  it('is shown to admins and admin keys, and refused (403) to cashiers, marketers, POS and read keys', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const expected = await svgOf(await cardCodeOf(app, tenant, member.id));

    const admin = await newStaff(app, tenant, 'admin');
    const adminRes = await admin.agent.get(qrPath(member.id)).buffer(true);
    expect(adminRes.status).toBe(200);
    expect(Buffer.from(adminRes.body as Buffer).toString('utf8')).toBe(expected);
    const adminKey = await newApiKey(tenant, ['admin']);
    const keyRes = await app.http.get(qrPath(member.id)).set('Authorization', `Bearer ${adminKey}`).buffer(true);
    expect(keyRes.status).toBe(200);
    expect(Buffer.from(keyRes.body as Buffer).toString('utf8')).toBe(expected);

    for (const role of ['cashier', 'marketer'] as const) {
      const staff = await newStaff(app, tenant, role);
      const res = await staff.agent.get(qrPath(member.id));
      expect(res.status, role).toBe(403);
      expect(res.headers['content-type'], role).toContain(PROBLEM);
      expect(res.body.code, role).toBe('forbidden');
    }
    for (const scope of ['pos', 'read']) {
      const key = await newApiKey(tenant, [scope]);
      const res = await app.http.get(qrPath(member.id)).set('Authorization', `Bearer ${key}`);
      expect(res.status, scope).toBe(403);
    }
    expect((await app.http.get(qrPath(member.id))).status).toBe(401);
  });

  it('draws the new card after a replacement, never the old one again', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const oldCode = await cardCodeOf(app, tenant, member.id);
    expect(await qrSvg(tenant, member.id)).toBe(await svgOf(oldCode));

    const replaced = await tenant.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'lost' });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(201);
    const newCode = await cardCodeOf(app, tenant, member.id);
    expect(newCode).not.toBe(oldCode);
    const after = await qrSvg(tenant, member.id);
    expect(after).toBe(await svgOf(newCode));
    expect(after).not.toBe(await svgOf(oldCode));
    expect((await tenant.owner.post('/api/v1/scan').send({ code: oldCode })).status).toBe(404);
  });

  it('answers 404 while the card is blocked, and the same code again once unblocked', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const before = await qrSvg(tenant, member.id);

    expect((await tenant.owner.post(`/api/v1/members/${member.id}/card/block`)).status).toBe(200);
    const blocked = await tenant.owner.get(qrPath(member.id));
    expect(blocked.status).toBe(404);
    expect(blocked.headers['content-type']).toContain(PROBLEM);
    expect(blocked.body.code).toBe('not_found');

    expect((await tenant.owner.post(`/api/v1/members/${member.id}/card/unblock`)).status).toBe(200);
    expect(await qrSvg(tenant, member.id)).toBe(before);
  });

  it('answers another retailer’s member with 404, exactly like a missing one, and a bad id with 400', async () => {
    const owner = await newTenant(app);
    const member = await newMember(owner);
    const other = await newTenant(app);
    const foreign = await other.owner.get(qrPath(member.id));
    const missing = await other.owner.get(qrPath(randomUUID()));
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toContain(PROBLEM);
    expect(foreign.body).toEqual(missing.body);

    const bad = await owner.owner.get('/api/v1/members/42/card/qr.svg');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['params.id']);
  });
});

describe('GET /api/v1/members/{id}/card.pdf: who may print the card', () => {
  it('prints for admins and admin keys, and refuses (403) cashiers, marketers, POS and read keys', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const pdfPath = `/api/v1/members/${member.id}/card.pdf`;

    const admin = await newStaff(app, tenant, 'admin');
    expect((await admin.agent.get(pdfPath).buffer(true)).status).toBe(200);
    const adminKey = await newApiKey(tenant, ['admin']);
    expect((await app.http.get(pdfPath).set('Authorization', `Bearer ${adminKey}`).buffer(true)).status).toBe(200);

    for (const role of ['cashier', 'marketer'] as const) {
      const staff = await newStaff(app, tenant, role);
      const res = await staff.agent.get(pdfPath);
      expect(res.status, role).toBe(403);
      expect(res.body.code, role).toBe('forbidden');
    }
    for (const scope of ['pos', 'read']) {
      const key = await newApiKey(tenant, [scope]);
      expect((await app.http.get(pdfPath).set('Authorization', `Bearer ${key}`)).status, scope).toBe(403);
    }
  });
});
