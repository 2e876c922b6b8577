import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCardNumber } from '../../api/src/cards/luhn.ts';
import { readScanToken } from '../../api/src/scan/scan-token.ts';
import { cardCodeOf, newApiKey, newMember, newStaff, newStore, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const grouped = (number: string) => number.match(/.{4}/g)!.join(' ');

describe('POST /api/v1/scan', () => {
  it('resolves the signed card code to the member, balances and a scan token', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 120, reason: 'opening balance' }).expect(201);
    const code = await cardCodeOf(app, tenant, member.id);

    const res = await tenant.owner.post('/api/v1/scan').send({ code });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      member: { id: member.id, name: member.name, tier: { code: 'member', name: 'Member' } },
      points: { balance: 120, pending: 0 },
      vouchers: [],
      offers: [],
      scanToken: expect.any(String),
      canSpend: true,
    });
    const expected = { tenantId: tenant.id, memberId: member.id, storeId: null };
    expect(readScanToken(app.deps.config.secretKey, res.body.scanToken, expected)).toBe('scanned');
  });

  it('accepts the card number typed by hand, with spaces or hyphens, and the code read in lower case', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const code = await cardCodeOf(app, tenant, member.id);
    for (const typed of [grouped(member.cardNumber), member.cardNumber.match(/.{4}/g)!.join('-'), member.cardNumber, code.toLowerCase(), `${code}\r\n`]) {
      const res = await tenant.owner.post('/api/v1/scan').send({ code: typed });
      expect(res.status, JSON.stringify(typed)).toBe(200);
      expect(res.body.member.id).toBe(member.id);
    }
  });

  it('answers forged, unknown, foreign, blocked and garbage codes with the same 404', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const code = await cardCodeOf(app, tenant, member.id);
    const other = await newTenant(app);
    const foreign = await newMember(other);
    const foreignCode = await cardCodeOf(app, other, foreign.id);
    const blocked = await newMember(tenant);
    const blockedCode = await cardCodeOf(app, tenant, blocked.id);
    await app.deps.db.updateTable('members').set({ status: 'blocked' }).where('tenant_id', '=', tenant.id).where('id', '=', blocked.id).execute();

    const mac = code.split('.')[3];
    const forged = `${code.slice(0, -mac.length)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    let unknownNumber = newCardNumber();
    while (unknownNumber === member.cardNumber || unknownNumber === blocked.cardNumber) unknownNumber = newCardNumber();
    const otherNumberSameMac = code.replace(member.cardNumber, unknownNumber);

    const attempts: Record<string, string> = {
      'forged MAC': forged,
      'unknown number with a valid check digit': grouped(unknownNumber),
      'signed code of another number with this card’s MAC': otherNumberSameMac,
      'another retailer’s signed code': foreignCode,
      'another retailer’s card number': foreign.cardNumber,
      'a blocked member’s code': blockedCode,
      'a blocked member’s number': blocked.cardNumber,
      'a number with a wrong check digit': member.cardNumber.slice(0, 15) + String((Number(member.cardNumber[15]) + 1) % 10),
      garbage: 'hello kitty',
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
  });

  it('binds the scan token to the cashier’s store, and refuses another store with 403', async () => {
    const tenant = await newTenant(app);
    const storeA = await newStore(tenant);
    const storeB = await newStore(tenant);
    const member = await newMember(tenant);
    const code = await cardCodeOf(app, tenant, member.id);
    const cashier = await newStaff(app, tenant, 'cashier', storeA.id);

    const elsewhere = await cashier.agent.post('/api/v1/scan').send({ code, storeId: storeB.id });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers['content-type']).toContain(PROBLEM);
    expect(elsewhere.body.code).toBe('forbidden');

    const here = await cashier.agent.post('/api/v1/scan').send({ code });
    expect(here.status).toBe(200);
    const key = app.deps.config.secretKey;
    expect(readScanToken(key, here.body.scanToken, { tenantId: tenant.id, memberId: member.id, storeId: storeA.id })).toBe('scanned');
    expect(readScanToken(key, here.body.scanToken, { tenantId: tenant.id, memberId: member.id, storeId: storeB.id })).toBeNull();

    const named = await cashier.agent.post('/api/v1/scan').send({ code, storeId: storeA.id });
    expect(named.status).toBe(200);
  });

  it('lets a store-bound POS key scan at its store only', async () => {
    const tenant = await newTenant(app);
    const storeA = await newStore(tenant);
    const storeB = await newStore(tenant);
    const member = await newMember(tenant);
    const code = await cardCodeOf(app, tenant, member.id);
    const key = await newApiKey(tenant, ['pos'], storeA.id);
    const ok = await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${key}`).send({ code });
    expect(ok.status).toBe(200);
    expect(ok.body.member.id).toBe(member.id);
    const elsewhere = await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${key}`).send({ code, storeId: storeB.id });
    expect(elsewhere.status).toBe(403);
  });

  it('refuses a store of another retailer with 400 on body.storeId', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const other = await newTenant(app);
    const foreignStore = await newStore(other);
    const res = await tenant.owner.post('/api/v1/scan').send({ code: member.cardNumber, storeId: foreignStore.id });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.storeId']);
  });

  it('refuses an empty code with 400 on body.code, and a marketer or read key with 403', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const empty = await tenant.owner.post('/api/v1/scan').send({ code: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.code']);

    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.post('/api/v1/scan').send({ code: member.cardNumber })).status).toBe(403);
    const readKey = await newApiKey(tenant, ['read']);
    expect((await app.http.post('/api/v1/scan').set('Authorization', `Bearer ${readKey}`).send({ code: member.cardNumber })).status).toBe(403);
  });
});
