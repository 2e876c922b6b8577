import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMember, newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let demo: TestApp;
beforeAll(async () => {
  [app, demo] = await Promise.all([createTestApp(), createTestApp({ KARTU_DEMO: 'on' })]);
});
afterAll(async () => {
  await Promise.all([app?.close(), demo?.close()]);
});

const PROBLEM = 'application/problem+json';
const e164 = (national: string) => `+62${national.slice(1)}`;

/** The OTP messages queued for a tenant, oldest first, straight from the outbox table. */
async function otpMessages(on: TestApp, tenantId: string) {
  return on.deps.db
    .selectFrom('outbox_messages')
    .select(['recipient', 'purpose', 'channel', 'body'])
    .where('tenant_id', '=', tenantId)
    .where('purpose', '=', 'otp')
    .orderBy('id')
    .execute();
}

/** The six digits of the newest code sent to the tenant's members. */
async function latestCode(on: TestApp, tenantId: string): Promise<string> {
  const messages = await otpMessages(on, tenantId);
  const code = /(?<!\d)(\d{6})(?!\d)/.exec(messages.at(-1)!.body)?.[1];
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

function memberCookie(res: { headers: Record<string, unknown> }) {
  const lines = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const line = lines.find((l) => l.startsWith('kartu_member='));
  return { line, value: line?.slice('kartu_member='.length).split(';')[0] };
}

async function memberAndCode(on: TestApp = app) {
  const tenant = await newTenant(on);
  const phone = newPhone();
  const member = await newMember(tenant, { phone });
  const sent = await on.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
  expect(sent.status).toBe(202);
  return { tenant, phone, member, code: await latestCode(on, tenant.id) };
}

const verify = (tenant: Tenant, phone: string, code: string, on: TestApp = app) =>
  on.http.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code });

describe('POST /api/v1/member-auth/otp', () => {
  it('answers 202 and queues an SMS with a six-digit code for the member’s phone', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await newMember(tenant, { phone });
    const res = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ expiresInSeconds: 300 });

    const messages = await otpMessages(app, tenant.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ recipient: e164(phone), purpose: 'otp', channel: 'sms' });
    expect(messages[0].body).toMatch(/(?<!\d)\d{6}(?!\d)/);
  });

  it('masks the code in the staff outbox outside demo mode', async () => {
    const { tenant, code } = await memberAndCode(app);
    const outbox = await tenant.owner.get('/api/v1/outbox');
    expect(outbox.status).toBe(200);
    const [message] = outbox.body.items;
    expect(message).toMatchObject({ purpose: 'otp', channel: 'sms', status: 'unconfigured' });
    expect(message.body).not.toContain(code);
    expect(message.body).toContain('••••••');
  });

  it('shows the code in the staff outbox in demo mode', async () => {
    const { tenant, code } = await memberAndCode(demo);
    const outbox = await tenant.owner.get('/api/v1/outbox');
    expect(outbox.status).toBe(200);
    expect(outbox.body.items[0].body).toContain(code);
    expect(outbox.body.items[0].body).not.toContain('•');
  });

  it('answers an unknown phone the same way but queues nothing', async () => {
    const tenant = await newTenant(app);
    const known = newPhone();
    await newMember(tenant, { phone: known });
    const knownRes = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: known });
    let unknown = newPhone();
    while (unknown === known) unknown = newPhone();
    const unknownRes = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: unknown });
    expect(unknownRes.status).toBe(202);
    expect(unknownRes.body).toEqual(knownRes.body);
    expect((await otpMessages(app, tenant.id)).map((m) => m.recipient)).toEqual([e164(known)]);
  });

  it('limits code requests: the 4th for one phone within 10 minutes is 429 with Retry-After', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await newMember(tenant, { phone });
    for (let i = 0; i < 3; i++) {
      // Written three ways: the limit is on the number, not on how it was typed.
      const typed = [phone, e164(phone), `${phone.slice(0, 4)}-${phone.slice(4, 8)}-${phone.slice(8)}`][i];
      expect((await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: typed })).status).toBe(202);
    }
    const fourth = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    expect(fourth.status).toBe(429);
    expect(fourth.headers['content-type']).toContain(PROBLEM);
    expect(fourth.body.code).toBe('rate_limited');
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await otpMessages(app, tenant.id)).toHaveLength(3);
  });

  it('refuses an invalid phone with 400 on body.phone, and an unknown retailer with 404', async () => {
    const tenant = await newTenant(app);
    const bad = await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: '123456' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.phone']);
    const noShop = await app.http.post('/api/v1/member-auth/otp').send({ slug: 'no-such-shop-xyz', phone: newPhone() });
    expect(noShop.status).toBe(404);
    expect(await otpMessages(app, tenant.id)).toEqual([]);
  });
});

describe('POST /api/v1/member-auth/verify', () => {
  it('refuses a wrong code with 401 invalid_code and counts the tries down', async () => {
    const { tenant, phone, code } = await memberAndCode();
    const wrong = await verify(tenant, phone, otherCode(code));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toContain(PROBLEM);
    expect(wrong.body.code).toBe('invalid_code');
    expect(wrong.body.triesLeft).toBe(4);
    expect(memberCookie(wrong).line).toBeUndefined();
    expect((await verify(tenant, phone, otherCode(code))).body.triesLeft).toBe(3);
  });

  it('after five wrong tries even the right code fails', async () => {
    const { tenant, phone, code } = await memberAndCode();
    const left = [];
    for (let i = 0; i < 5; i++) left.push((await verify(tenant, phone, otherCode(code))).body.triesLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const right = await verify(tenant, phone, code);
    expect(right.status).toBe(401);
    expect(right.body).toMatchObject({ code: 'invalid_code', triesLeft: 0 });
    expect(memberCookie(right).line).toBeUndefined();
  });

  it('still accepts the right code on the fifth try', async () => {
    const { tenant, phone, member, code } = await memberAndCode();
    for (let i = 0; i < 4; i++) expect((await verify(tenant, phone, otherCode(code))).status).toBe(401);
    const right = await verify(tenant, phone, code);
    expect(right.status).toBe(200);
    expect(right.body.member.id).toBe(member.id);
  });

  it('refuses an expired code', async () => {
    const { tenant, phone, code } = await memberAndCode();
    await app.deps.db.updateTable('otp_codes').set({ expires_at: new Date(Date.now() - 60_000) }).where('tenant_id', '=', tenant.id).execute();
    const res = await verify(tenant, phone, code);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'invalid_code', triesLeft: 0 });
    expect(memberCookie(res).line).toBeUndefined();
  });

  it('only the newest code works once a new one was sent', async () => {
    const { tenant, phone, code: first } = await memberAndCode();
    await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone }).expect(202);
    const second = await latestCode(app, tenant.id);
    if (second !== first) expect((await verify(tenant, phone, first)).status).toBe(401);
    expect((await verify(tenant, phone, second)).status).toBe(200);
  });

  it('refuses a code that is not six digits with 400 on body.code', async () => {
    const { tenant, phone } = await memberAndCode();
    for (const code of ['12345', '1234567', 'abcdef']) {
      const res = await verify(tenant, phone, code);
      expect(res.status, code).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.code']);
    }
  });

  it('signs the member in with the right code: an httpOnly cookie, and /me, /me/card, /me/points work', async () => {
    const { tenant, phone, member, code } = await memberAndCode();
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 25, reason: 'welcome' }).expect(201);
    const phoneApp = app.agent();
    const res = await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone: e164(phone), code });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.member).toMatchObject({ id: member.id, phone: e164(phone), cardNumber: member.cardNumber, points: { balance: 25, pending: 0, debt: 0 } });
    const cookie = memberCookie(res);
    expect(cookie.line).toMatch(/;\s*httponly/i);
    expect(cookie.line).toMatch(/;\s*samesite=lax/i);

    const me = await phoneApp.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: member.id, name: member.name, phone: e164(phone) });

    const card = await phoneApp.get('/api/v1/me/card');
    expect(card.status).toBe(200);
    expect(card.body).toEqual({
      cardNumber: member.cardNumber,
      code: expect.stringMatching(/^K1\./),
      rotating: { secret: expect.any(String), periodSeconds: 30, digits: 8 },
      serverTime: expect.any(String),
    });
    const scan = await tenant.owner.post('/api/v1/scan').send({ code: card.body.code });
    expect(scan.status).toBe(200);
    expect(scan.body.member.id).toBe(member.id);

    const points = await phoneApp.get('/api/v1/me/points');
    expect(points.status).toBe(200);
    expect(points.body).toMatchObject({ balance: 25, pending: 0, debt: 0 });
    expect(points.body.entries.items).toMatchObject([{ kind: 'adjust', points: 25, balanceAfter: 25 }]);

    // A code signs in once.
    expect((await verify(tenant, phone, code)).status).toBe(401);
  });

  it('a member session cannot call staff endpoints', async () => {
    const { tenant, phone, code } = await memberAndCode();
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code }).expect(200);
    for (const path of ['/api/v1/members', '/api/v1/outbox', '/api/v1/auth/me']) {
      const res = await phoneApp.get(path);
      expect([401, 403], `${path}: ${res.status}`).toContain(res.status);
      expect(res.headers['content-type']).toContain(PROBLEM);
    }
    const adjust = await phoneApp.post('/api/v1/members/00000000-0000-7000-8000-000000000000/points/adjustments').send({ points: 1000, reason: 'me me me' });
    expect([401, 403]).toContain(adjust.status);
  });

  it('a staff session is not a member session', async () => {
    const tenant = await newTenant(app);
    const res = await tenant.owner.get('/api/v1/me');
    expect(res.status).toBe(401);
  });

  it('logout ends the member session', async () => {
    const { tenant, phone, code } = await memberAndCode();
    const phoneApp = app.agent();
    const res = await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code });
    const token = memberCookie(res).value!;
    expect((await phoneApp.get('/api/v1/me')).status).toBe(200);

    expect((await phoneApp.post('/api/v1/member-auth/logout')).status).toBe(204);
    expect((await phoneApp.get('/api/v1/me')).status).toBe(401);
    const replayed = await app.http.get('/api/v1/me').set('Cookie', `kartu_member=${token}`);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('unauthenticated');
  });

  it('a member session stops working once the member is no longer active, and is no staff session', async () => {
    const { tenant, phone, member, code } = await memberAndCode();
    const token = memberCookie(await verify(tenant, phone, code)).value!;
    expect((await app.http.get('/api/v1/me').set('Cookie', `kartu_member=${token}`)).status).toBe(200);
    expect((await app.http.get('/api/v1/auth/me').set('Cookie', `kartu_session=${token}`)).status).toBe(401);

    await app.deps.db.updateTable('members').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('id', '=', member.id).execute();
    const blocked = await app.http.get('/api/v1/me').set('Cookie', `kartu_member=${token}`);
    expect(blocked.status).toBe(401);
    expect(blocked.body.code).toBe('unauthenticated');
  });
});
