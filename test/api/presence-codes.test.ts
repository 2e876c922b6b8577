import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemText } from '../../api/client/problems.ts';
import { readScanToken } from '../../api/src/scan/scan-token.ts';
import { newApiKey, newMember, newPhone, newStaff, newStore, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
type Agent = ReturnType<TestApp['agent']>;

const sendUrl = (memberId: string) => `/api/v1/members/${memberId}/presence-codes`;
const verifyUrl = (memberId: string) => `/api/v1/members/${memberId}/presence-codes/verify`;
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const sixDigits = (body: string) => /(?<!\d)(\d{6})(?!\d)/.exec(body)![1];

/** The SMS messages of a purpose queued for a tenant, oldest first, straight from the outbox table. */
function messages(on: TestApp, tenantId: string, purpose: string) {
  return on.deps.db
    .selectFrom('outbox_messages')
    .select(['recipient', 'purpose', 'channel', 'body'])
    .where('tenant_id', '=', tenantId)
    .where('purpose', '=', purpose)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Sends a presence code as `caller` and reads it back from the outbox. */
async function sendCode(caller: Agent, tenant: Tenant, memberId: string, body: Record<string, unknown> = {}, on: TestApp = app) {
  const res = await caller.post(sendUrl(memberId)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return { res, code: sixDigits((await messages(on, tenant.id, 'presence')).at(-1)!.body) };
}

async function memberWithPoints(tenant: Tenant, points: number, overrides: Record<string, unknown> = {}) {
  const member = await newMember(tenant, overrides);
  await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points, reason: 'opening balance' }).expect(201);
  return member;
}

const redeem = (caller: Agent, memberId: string, scanToken: string, points = 10) =>
  caller.post(`/api/v1/members/${memberId}/points/redemptions`).set('Idempotency-Key', randomUUID()).send({ points, scanToken });

async function cashierAt(tenant: Tenant) {
  const store = await newStore(tenant, { name: 'Cabang Kemang' });
  const cashier = await newStaff(app, tenant, 'cashier', store.id);
  return { store, cashier: cashier.agent, cashierId: cashier.id };
}

function expectInvalid(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, triesLeft: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.headers['content-type']).toContain(PROBLEM);
  expect(res.body).toMatchObject({ code: 'invalid_presence_code', triesLeft, errors: [{ path: 'body.code', message: expect.any(String) }] });
}

describe('presence codes: the member’s one-time code instead of a scan', () => {
  it('lets a cashier spend after a typed card number once the member reads out the texted code', async () => {
    const tenant = await newTenant(app);
    const { store, cashier, cashierId } = await cashierAt(tenant);
    const phone = newPhone();
    const member = await memberWithPoints(tenant, 100, { phone });

    const typed = await cashier.post('/api/v1/scan').send({ code: member.cardNumber });
    expect(typed.status).toBe(200);
    expect(typed.body.canSpend).toBe(false);
    const refused = await redeem(cashier, member.id, typed.body.scanToken);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'presence_required', presence: 'typed' });
    expect(refused.body.detail).toContain(`/api/v1/members/{id}/presence-codes`);

    const { res: sent, code } = await sendCode(cashier, tenant, member.id);
    expect(sent.body).toEqual({ expiresInSeconds: 300, sentTo: `+62 812-****-${phone.slice(-4)}` });
    const [sms] = await messages(app, tenant.id, 'presence');
    expect(sms).toMatchObject({ channel: 'sms', purpose: 'presence', recipient: `+62${phone.slice(1)}` });
    expect(sms.body).toContain('Cabang Kemang');
    expect(sms.body).toMatch(/Berlaku 5 menit/);
    expect(sms.body).toMatch(/kasir di depan Anda/);

    const verified = await cashier.post(verifyUrl(member.id)).send({ code });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toEqual({ scanToken: expect.any(String), canSpend: true });
    const expected = { tenantId: tenant.id, memberId: member.id, storeId: store.id };
    expect(readScanToken(app.deps.config.secretKey, verified.body.scanToken, expected)).toBe('scanned');

    const spent = await redeem(cashier, member.id, verified.body.scanToken);
    expect(spent.status, JSON.stringify(spent.body)).toBe(201);
    expect(spent.body.points.balance).toBe(90);

    const audit = await app.deps.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'target_type', 'target_id', 'details'])
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'presence_code.verified')
      .execute();
    expect(audit).toEqual([{ actor_kind: 'staff', actor_id: cashierId, target_type: 'member', target_id: member.id, details: { storeId: store.id } }]);
  });

  it('writes the SMS in the retailer’s language and masks the code in the staff outbox', async () => {
    const tenant = await newTenant(app, { locale: 'en' });
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const { code } = await sendCode(cashier, tenant, member.id);
    const [sms] = await messages(app, tenant.id, 'presence');
    expect(sms.body).toContain(`${code} is your code to confirm spending points at ${(await tenant.owner.get('/api/v1/auth/me')).body.tenant.name} (Cabang Kemang)`);
    expect(sms.body).toMatch(/Valid 5 minutes/);
    expect(sms.body).toMatch(/only to the cashier in front of you/);

    const outbox = await tenant.owner.get('/api/v1/outbox');
    const listed = outbox.body.items.find((item: { purpose: string }) => item.purpose === 'presence');
    expect(listed.body).not.toContain(code);
    expect(listed.body).toContain('••••••');
  });

  it('counts wrong codes: triesLeft goes down, and after 5 even the right code is refused', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await memberWithPoints(tenant, 100);
    const { code } = await sendCode(cashier, tenant, member.id);

    for (const triesLeft of [4, 3, 2, 1]) {
      const wrong = await cashier.post(verifyUrl(member.id)).send({ code: otherCode(code) });
      expectInvalid(wrong, triesLeft);
      if (triesLeft === 4) {
        expect(problemText(wrong.body, 'id')).toBe('Kode salah. Sisa 4 percobaan.');
        expect(problemText(wrong.body, 'en')).toBe('Wrong code. 4 tries left.');
      }
    }
    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code: otherCode(code) }), 0);
    const tooLate = await cashier.post(verifyUrl(member.id)).send({ code });
    expectInvalid(tooLate, 0);
    expect(problemText(tooLate.body, 'en')).toBe('The code is wrong, expired, used or for another store. Send a new code.');
  });

  it('refuses a malformed code with 400 on body.code, without spending a try', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const { code } = await sendCode(cashier, tenant, member.id);
    for (const bad of ['12345', '1234567', 'abcdef', '']) {
      const res = await cashier.post(verifyUrl(member.id)).send({ code: bad });
      expect(res.status, bad).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.code', message: expect.any(String) }]);
    }
    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code: otherCode(code) }), 4);
  });

  it('spends a try under an Idempotency-Key too, and replays the same answer for the same key', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const { code } = await sendCode(cashier, tenant, member.id);
    const wrong = { code: otherCode(code) };

    expectInvalid(await cashier.post(verifyUrl(member.id)).set('Idempotency-Key', 'v-1').send(wrong), 4);
    expectInvalid(await cashier.post(verifyUrl(member.id)).set('Idempotency-Key', 'v-2').send(wrong), 3);
    const replay = await cashier.post(verifyUrl(member.id)).set('Idempotency-Key', 'v-1').send(wrong);
    expectInvalid(replay, 4);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectInvalid(await cashier.post(verifyUrl(member.id)).send(wrong), 2);
    expect((await cashier.post(verifyUrl(member.id)).set('Idempotency-Key', 'v-3').send({ code })).status).toBe(200);
  });

  it('uses a code once, and a newer code replaces the older one', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const { code: first } = await sendCode(cashier, tenant, member.id);
    const { code: second } = await sendCode(cashier, tenant, member.id);
    expect(first).not.toBe(second);

    // The older code is no longer live: trying it spends a try of the newer one.
    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code: first }), 4);
    expect((await cashier.post(verifyUrl(member.id)).send({ code: second })).status).toBe(200);
    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code: second }), 0);
  });

  it('refuses an expired code', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const { code } = await sendCode(cashier, tenant, member.id);
    await app.deps.db
      .updateTable('presence_codes')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('tenant_id', '=', tenant.id)
      .where('member_id', '=', member.id)
      .execute();
    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code }), 0);
  });

  it('binds the code to the store it was sent for', async () => {
    const tenant = await newTenant(app);
    const storeA = await newStore(tenant);
    const storeB = await newStore(tenant);
    const roaming = (await newStaff(app, tenant, 'cashier')).agent;
    const atB = (await newStaff(app, tenant, 'cashier', storeB.id)).agent;
    const member = await newMember(tenant);
    const { code } = await sendCode(roaming, tenant, member.id, { storeId: storeA.id });

    expectInvalid(await roaming.post(verifyUrl(member.id)).send({ code, storeId: storeB.id }), 0);
    expectInvalid(await atB.post(verifyUrl(member.id)).send({ code }), 0);
    expectInvalid(await roaming.post(verifyUrl(member.id)).send({ code }), 0);
    const forbidden = await atB.post(verifyUrl(member.id)).send({ code, storeId: storeA.id });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');

    const here = await roaming.post(verifyUrl(member.id)).send({ code, storeId: storeA.id });
    expect(here.status, JSON.stringify(here.body)).toBe(200);
    const key = app.deps.config.secretKey;
    expect(readScanToken(key, here.body.scanToken, { tenantId: tenant.id, memberId: member.id, storeId: storeA.id })).toBe('scanned');
    expect(readScanToken(key, here.body.scanToken, { tenantId: tenant.id, memberId: member.id, storeId: storeB.id })).toBeNull();
  });

  it('keeps sign-in codes and presence codes apart', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const phone = newPhone();
    const member = await newMember(tenant, { phone });
    expect((await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone })).status).toBe(202);
    const signIn = sixDigits((await messages(app, tenant.id, 'otp')).at(-1)!.body);
    const { code: presence } = await sendCode(cashier, tenant, member.id);
    expect(presence).not.toBe(signIn);

    expectInvalid(await cashier.post(verifyUrl(member.id)).send({ code: signIn }), 4);
    const asSignIn = await app.http.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: presence });
    expect(asSignIn.status).toBe(401);
    expect(asSignIn.body.code).toBe('invalid_code');

    // Both were live all along: each works where it belongs.
    expect((await cashier.post(verifyUrl(member.id)).send({ code: presence })).status).toBe(200);
    expect((await app.http.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: signIn })).status).toBe(200);
  });

  it('limits codes to 3 per member per 10 minutes', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    for (let i = 0; i < 3; i++) await sendCode(cashier, tenant, member.id);
    const limited = await cashier.post(sendUrl(member.id)).send({});
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toContain(PROBLEM);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await messages(app, tenant.id, 'presence')).toHaveLength(3);
  });

  it('limits codes per till (a store-bound POS key) across members', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const key = await newApiKey(tenant, ['pos'], store.id);
    const members = [];
    for (let i = 0; i < 11; i++) members.push(await newMember(tenant));
    let sent = 0;
    let limited: { status: number } | undefined;
    for (const member of members) {
      for (let i = 0; i < 3 && !limited; i++) {
        const res = await app.http.post(sendUrl(member.id)).set('Authorization', `Bearer ${key}`).send({});
        if (res.status === 202) sent++;
        else limited = res;
      }
    }
    expect(sent).toBe(30);
    expect(limited?.status).toBe(429);
  });

  it('limits wrong codes per member per day, whatever code is live', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const member = await newMember(tenant);
    const wrongTries = async (code: string, count: number) => {
      for (let i = 0; i < count; i++) expect((await cashier.post(verifyUrl(member.id)).send({ code: otherCode(code) })).status).toBe(409);
    };
    await wrongTries((await sendCode(cashier, tenant, member.id)).code, 5);
    await wrongTries((await sendCode(cashier, tenant, member.id)).code, 5);
    await wrongTries('000000', 1); // no live code: still a failure for the member
    const { code } = await sendCode(cashier, tenant, member.id);
    await wrongTries(code, 4);

    const limited = await cashier.post(verifyUrl(member.id)).send({ code });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });

  it('answers 404 for another retailer’s, a blocked or an unknown member, and sends nothing', async () => {
    const tenant = await newTenant(app);
    const { cashier } = await cashierAt(tenant);
    const other = await newTenant(app);
    const foreign = await newMember(other);
    const blocked = await newMember(tenant);
    await app.deps.db.updateTable('members').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('id', '=', blocked.id).execute();

    for (const memberId of [foreign.id, blocked.id, randomUUID()]) {
      const send = await cashier.post(sendUrl(memberId)).send({});
      expect(send.status, memberId).toBe(404);
      expect(send.headers['content-type']).toContain(PROBLEM);
      expect((await cashier.post(verifyUrl(memberId)).send({ code: '123456' })).status).toBe(404);
    }
    expect(await messages(app, tenant.id, 'presence')).toHaveLength(0);
    expect(await messages(app, other.id, 'presence')).toHaveLength(0);
  });

  it('refuses callers without the scan permission (marketer, read key) with 403', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const marketer = (await newStaff(app, tenant, 'marketer')).agent;
    const readKey = await newApiKey(tenant, ['read']);
    for (const res of [
      await marketer.post(sendUrl(member.id)).send({}),
      await marketer.post(verifyUrl(member.id)).send({ code: '123456' }),
      await app.http.post(sendUrl(member.id)).set('Authorization', `Bearer ${readKey}`).send({}),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    expect((await app.http.post(sendUrl(member.id)).send({})).status).toBe(401);
    expect(await messages(app, tenant.id, 'presence')).toHaveLength(0);
  });

  it('prints the code on the console in demo mode', async () => {
    const demo = await createTestApp({ KARTU_DEMO: 'on' });
    try {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      demo.deps.log = pino({ level: 'info' }, sink);
      const tenant = await newTenant(demo);
      const store = await newStore(tenant);
      const cashier = (await newStaff(demo, tenant, 'cashier', store.id)).agent;
      const member = await newMember(tenant);
      const { code } = await sendCode(cashier, tenant, member.id, {}, demo);
      expect(lines.some((line) => line.includes(`demo presence code`) && line.includes(code))).toBe(true);
    } finally {
      await demo.close();
    }
  });
});
