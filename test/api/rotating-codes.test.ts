import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { counterAt } from '../../api/client/rotating-code.ts';
import { readScanToken } from '../../api/src/scan/scan-token.ts';
import { memberCard, rotatingQrOf, signedInMember } from '../support/cards.ts';
import { newApiKey, newMember, newStore, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
afterEach(() => {
  vi.useRealTimers();
});

const PROBLEM = 'application/problem+json';
const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]+$/;

/**
 * Holds the clock (Date only; the server runs in this process) in the middle of the current
 * 30-second step, so "one step old" never straddles a step boundary. Returns the step.
 */
function holdClockMidStep(): number {
  const mid = Math.floor(Date.now() / 30_000) * 30_000 + 15_000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(mid);
  return counterAt(mid);
}

/** Changes one digit of the 8-digit code at the end of a K2 text. */
const tampered = (text: string, at = text.length - 3) => text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1);

describe('GET /api/v1/me/card', () => {
  it('gives the number, the printed code, the rotating secret and parameters, and the server clock', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const res = await phoneApp.get('/api/v1/me/card');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      cardNumber: member.cardNumber,
      code: expect.stringMatching(/^K1\./),
      rotating: { secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), periodSeconds: 30, digits: 8 },
      serverTime: expect.any(String),
    });
    expect(Buffer.from(res.body.rotating.secret, 'base64url')).toHaveLength(32);
    expect(Math.abs(Date.parse(res.body.serverTime) - Date.now())).toBeLessThan(5_000);
    expect(rotatingQrOf(res.body, counterAt(Date.now()))).toMatch(QR_ALPHANUMERIC);
    // The same secret every time; sealed at rest, never stored in the clear.
    expect((await memberCard(phoneApp)).rotating.secret).toBe(res.body.rotating.secret);
    const row = await app.deps.db.selectFrom('cards').select('rotating_secret_enc').where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).executeTakeFirstOrThrow();
    expect(row.rotating_secret_enc).toMatch(/^v2\./);
    expect(row.rotating_secret_enc).not.toContain(res.body.rotating.secret);
  });

  it('gives a card issued before rotating codes a secret on first use, the same one to concurrent calls', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    await app.deps.db.updateTable('cards').set({ rotating_secret_enc: null }).where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).execute();

    // Before the member opened the app, no rotating code of the card can scan.
    const step = counterAt(Date.now());
    const guess = `K2.${member.cardNumber}.00000000`;
    expect((await tenant.owner.post('/api/v1/scan').send({ code: guess })).status).toBe(404);

    const cards = await Promise.all(Array.from({ length: 5 }, () => memberCard(phoneApp)));
    expect(new Set(cards.map((c) => c.rotating.secret)).size).toBe(1);
    expect((await memberCard(phoneApp)).rotating.secret).toBe(cards[0].rotating.secret);
    holdClockMidStep();
    const res = await tenant.owner.post('/api/v1/scan').send({ code: rotatingQrOf(cards[0], counterAt(Date.now())) });
    expect(res.status, `${step} ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body.member.id).toBe(member.id);
  });
});

describe('POST /api/v1/scan with the app’s rotating code', () => {
  it('scans the current code to the member, with a scan token for the store', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const card = await memberCard(phoneApp);
    const key = await newApiKey(tenant, ['pos'], store.id);
    const step = holdClockMidStep();

    const res = await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${key}`).send({ code: rotatingQrOf(card, step) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ member: { id: member.id, name: member.name }, points: { balance: 0, pending: 0 }, scanToken: expect.any(String) });
    expect(readScanToken(app.deps.config.secretKey, res.body.scanToken, { tenantId: tenant.id, memberId: member.id, storeId: store.id })).toBe('scanned');
  });

  it('accepts one step of drift each way (and lower case), and refuses a code of 90 seconds ago or two steps ahead', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const card = await memberCard(phoneApp);
    const step = holdClockMidStep();
    const scan = (code: string) => tenant.owner.post('/api/v1/scan').send({ code });

    expect((await scan(rotatingQrOf(card, step - 3))).status, '3 steps (90 s) old').toBe(404);
    expect((await scan(rotatingQrOf(card, step - 2))).status, '2 steps old').toBe(404);
    const old = await scan(rotatingQrOf(card, step - 1).toLowerCase());
    expect(old.status, 'one step old').toBe(200);
    expect(old.body.member.id).toBe(member.id);
    expect((await scan(rotatingQrOf(card, step + 2))).status, '2 steps ahead').toBe(404);
    const ahead = await scan(rotatingQrOf(card, step + 1));
    expect(ahead.status, 'one step ahead').toBe(200);
    expect(ahead.body.member.id).toBe(member.id);
  });

  it('scans the current step again (a cashier’s second scan), but not an older step once a newer one was seen', async () => {
    const tenant = await newTenant(app);
    const { phoneApp } = await signedInMember(app, tenant);
    const card = await memberCard(phoneApp);
    const step = holdClockMidStep();
    const code = rotatingQrOf(card, step);

    expect((await tenant.owner.post('/api/v1/scan').send({ code })).status).toBe(200);
    expect((await tenant.owner.post('/api/v1/scan').send({ code })).status, 'the same step again').toBe(200);
    expect((await tenant.owner.post('/api/v1/scan').send({ code: rotatingQrOf(card, step - 1) })).status, 'an older step').toBe(404);
    const next = await tenant.owner.post('/api/v1/scan').send({ code: rotatingQrOf(card, step + 1) });
    expect(next.status, 'the next step').toBe(200);
    const older = await tenant.owner.post('/api/v1/scan').send({ code });
    expect(older.status, 'the first step, now older than one seen').toBe(404);
    expect(older.headers['content-type']).toContain(PROBLEM);
    // The printed card and the typed number still scan as often as needed.
    for (let i = 0; i < 2; i++) {
      expect((await tenant.owner.post('/api/v1/scan').send({ code: card.code })).status).toBe(200);
      expect((await tenant.owner.post('/api/v1/scan').send({ code: card.cardNumber })).status).toBe(200);
    }
  });

  it('answers tampered, foreign, blocked and replaced codes with the same 404 as an unknown code', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const card = await memberCard(phoneApp);
    const { phoneApp: otherApp } = await signedInMember(app, tenant);
    const otherCard = await memberCard(otherApp);
    const { member: blocked, phoneApp: blockedApp } = await signedInMember(app, tenant);
    const blockedCard = await memberCard(blockedApp);
    const { member: cardBlocked, phoneApp: cardBlockedApp } = await signedInMember(app, tenant);
    const cardBlockedCard = await memberCard(cardBlockedApp);
    const { member: replaced, phoneApp: replacedApp } = await signedInMember(app, tenant);
    const replacedCard = await memberCard(replacedApp);
    const foreignTenant = await newTenant(app);
    const { phoneApp: foreignApp } = await signedInMember(app, foreignTenant);
    const foreignCard = await memberCard(foreignApp);
    const unknownMember = await newMember(tenant); // never opened the app: no secret shown

    const db = app.deps.db;
    await db.updateTable('members').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('id', '=', blocked.id).execute();
    await db.updateTable('cards').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('member_id', '=', cardBlocked.id).execute();
    await db.updateTable('cards').set({ status: 'replaced' }).where('tenant_id', '=', tenant.id).where('member_id', '=', replaced.id).execute();
    const step = holdClockMidStep();
    const now = rotatingQrOf(card, step);

    const attempts: Record<string, string> = {
      'unknown number': rotatingQrOf({ ...card, cardNumber: '7000000000000006' }, step),
      'one digit changed': tampered(now),
      'another digit changed': tampered(now, now.length - 1),
      'card number changed': `K2.${unknownMember.cardNumber}.${now.slice(-8)}`,
      'another member’s secret with this card number': rotatingQrOf({ ...otherCard, cardNumber: card.cardNumber }, step),
      'another retailer’s member': rotatingQrOf(foreignCard, step),
      'a blocked member': rotatingQrOf(blockedCard, step),
      'a blocked card': rotatingQrOf(cardBlockedCard, step),
      'a replaced card': rotatingQrOf(replacedCard, step),
      'seven digits': now.slice(0, -1),
    };
    const bodies = [];
    for (const [what, text] of Object.entries(attempts)) {
      const res = await tenant.owner.post('/api/v1/scan').send({ code: text });
      expect(res.status, what).toBe(404);
      expect(res.headers['content-type'], what).toContain(PROBLEM);
      bodies.push(res.body);
    }
    expect(bodies[0]).toMatchObject({ status: 404, code: 'not_found' });
    for (const body of bodies) expect(body).toEqual(bodies[0]);

    // None of that used up the real code.
    const res = await tenant.owner.post('/api/v1/scan').send({ code: now });
    expect(res.status).toBe(200);
    expect(res.body.member.id).toBe(member.id);
  });
});

describe('scan rate limits', () => {
  it('limits app codes that do not scan to 30 misses per 10 minutes (8 digits of a known number can be guessed); good codes count nothing', async () => {
    const own = await createTestApp();
    try {
      const tenant = await newTenant(own);
      const { member, phoneApp } = await signedInMember(own, tenant);
      const card = await memberCard(phoneApp);
      const scan = (code: string) => tenant.owner.post('/api/v1/scan').send({ code });
      for (let i = 0; i < 40; i++) expect((await scan(rotatingQrOf(card, counterAt(Date.now())))).status, `good ${i}`).toBe(200);
      for (let i = 0; i < 30; i++) {
        const guess = `K2.${card.cardNumber}.${String(i).padStart(8, '0')}`;
        expect((await scan(guess)).status, guess).toBe(404);
      }
      const limited = await scan(rotatingQrOf(card, counterAt(Date.now())));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The printed card still scans: only app codes are held back.
      const printed = await scan(card.code);
      expect(printed.status).toBe(200);
      expect(printed.body.member.id).toBe(member.id);
    } finally {
      await own.close();
    }
  });

  it('limits typed card numbers to 30 per 10 minutes per IP, answering 429 with Retry-After; signed codes still scan', async () => {
    const own = await createTestApp();
    try {
      const tenant = await newTenant(own);
      const member = await newMember(tenant);
      const { phoneApp } = await signedInMember(own, tenant);
      const card = await memberCard(phoneApp);
      for (let i = 0; i < 30; i++) {
        const res = await tenant.owner.post('/api/v1/scan').send({ code: i % 2 ? member.cardNumber : '1234 5678 9012 3456' });
        expect(res.status, String(i)).toBe(i % 2 ? 200 : 404);
      }
      const limited = await tenant.owner.post('/api/v1/scan').send({ code: member.cardNumber });
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toContain(PROBLEM);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(600);
      // Another till of another retailer from the same IP is limited too (per IP)…
      const other = await newTenant(own);
      const otherMember = await newMember(other);
      expect((await other.owner.post('/api/v1/scan').send({ code: otherMember.cardNumber })).status).toBe(429);
      // …but the signed and rotating codes are not typed numbers.
      expect((await tenant.owner.post('/api/v1/scan').send({ code: card.code })).status).toBe(200);
      expect((await tenant.owner.post('/api/v1/scan').send({ code: rotatingQrOf(card, counterAt(Date.now())) })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('limits typed card numbers per store across IPs', async () => {
    const own = await createTestApp({ KARTU_TRUST_PROXY: 'on' });
    try {
      const tenant = await newTenant(own);
      const store = await newStore(tenant);
      const member = await newMember(tenant);
      // The till: a POS key bound to the store. Its budget is the store's, whatever IP it comes from.
      const key = await newApiKey(tenant, ['pos'], store.id);
      const till = (ip: string, body: Record<string, unknown>) =>
        own.http.post('/api/v1/scan').set('Authorization', `Bearer ${key}`).set('X-Forwarded-For', ip).send(body);
      for (let i = 0; i < 30; i++) {
        const res = await till(`203.0.113.${i}`, { code: member.cardNumber });
        expect(res.status, String(i)).toBe(200);
      }
      const limited = await till('203.0.113.200', { code: member.cardNumber });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Signed codes at the store still scan; another caller's typed numbers too.
      const code = (await memberCard((await signedInMember(own, tenant)).phoneApp)).code;
      expect((await till('203.0.113.201', { code })).status).toBe(200);
      expect((await tenant.owner.post('/api/v1/scan').set('X-Forwarded-For', '203.0.113.202').send({ code: member.cardNumber })).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});
