import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCardNumber } from '../../api/src/cards/luhn.ts';
import { cardHistoryOf, currentStep, memberCard, newCardStock, rotatingQrOf, signedInMember } from '../support/cards.ts';
import { cardCodeOf, newApiKey, newMember, newPhone, newStaff, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';

async function scan(tenant: Tenant, code: string) {
  return tenant.owner.post('/api/v1/scan').send({ code });
}

/** The 404 an unknown card number gets: every refused scan must look exactly like it. */
async function unknownScanBody(tenant: Tenant) {
  const res = await scan(tenant, newCardNumber());
  expect(res.status).toBe(404);
  return res.body;
}

async function auditActions(tenant: Tenant) {
  const rows = await app.deps.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).execute();
  return rows.map((row) => row.action);
}

describe('card replacement', () => {
  it('gives a new number and codes, stops the old K1, typed number and K2, and keeps points and history', async () => {
    const tenant = (await newTenant(app)) as Tenant;
    const { member, phoneApp } = await signedInMember(app, tenant);
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: 120, reason: 'opening balance' }).expect(201);
    const old = await memberCard(phoneApp);
    expect((await scan(tenant, old.code)).status).toBe(200);

    const replaced = await tenant.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'lost' });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(201);
    expect(replaced.body).toMatchObject({ status: 'active', reason: null, replacedAt: null, issuedAt: expect.any(String) });
    expect(replaced.body.cardNumber).toMatch(/^\d{16}$/);
    expect(replaced.body.cardNumber).not.toBe(old.cardNumber);

    const unknown = await unknownScanBody(tenant);
    const step = currentStep(old);
    for (const [what, text] of Object.entries({ 'old K1': old.code, 'old typed number': old.cardNumber, 'old K2': rotatingQrOf(old, step) })) {
      const res = await scan(tenant, text);
      expect(res.status, what).toBe(404);
      expect(res.headers['content-type'], what).toContain(PROBLEM);
      expect(res.body, what).toEqual(unknown);
    }

    const fresh = await memberCard(phoneApp);
    expect(fresh.cardNumber).toBe(replaced.body.cardNumber);
    expect(fresh.rotating.secret).not.toBe(old.rotating.secret);
    expect(fresh.code).toBe(await cardCodeOf(app, tenant, member.id));
    for (const [what, text] of Object.entries({ 'new K1': fresh.code, 'new typed number': fresh.cardNumber, 'new K2': rotatingQrOf(fresh, currentStep(fresh)) })) {
      const res = await scan(tenant, text);
      expect(res.status, what).toBe(200);
      expect(res.body.member.id, what).toBe(member.id);
      expect(res.body.points.balance, what).toBe(120);
    }

    const shown = await tenant.owner.get(`/api/v1/members/${member.id}`);
    expect(shown.body).toMatchObject({ cardNumber: fresh.cardNumber, points: { balance: 120 } });
    const history = await cardHistoryOf(tenant, member.id);
    expect(history.map((card) => [card.cardNumber, card.status, card.reason])).toEqual([
      [fresh.cardNumber, 'active', null],
      [old.cardNumber, 'replaced', 'lost'],
    ]);
    expect(history[1].replacedAt).toEqual(expect.any(String));
    expect(history[0].id).toBe(replaced.body.id);
    expect(await auditActions(tenant)).toContain('card.replaced');

    // Searching by the old number still finds the member (history), scanning does not.
    const search = await tenant.owner.get('/api/v1/members').query({ query: old.cardNumber });
    expect(search.body.items.map((m: { id: string }) => m.id)).toEqual([member.id]);
  });

  it('lets a cashier replace a damaged card at the till, refuses a bad reason, and answers 404 for another retailer’s member', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier');
    const bad = await cashier.agent.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'stolen-by-aliens' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.reason']);
    const res = await cashier.agent.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'damaged' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const history = await cardHistoryOf(tenant, member.id);
    expect(history.map((card) => card.status)).toEqual(['active', 'replaced']);
    expect(history[1].reason).toBe('damaged');

    const other = await newTenant(app);
    expect((await other.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'lost' })).status).toBe(404);
    expect((await other.owner.get(`/api/v1/members/${member.id}/cards`)).status).toBe(404);
    expect((await other.owner.post(`/api/v1/members/${member.id}/card/block`)).status).toBe(404);
  });

  it('replaces a blocked card: the new card is active', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    expect((await tenant.owner.post(`/api/v1/members/${member.id}/card/block`)).status).toBe(200);
    const res = await tenant.owner.post(`/api/v1/members/${member.id}/card/replace`).send({ reason: 'lost' });
    expect(res.status).toBe(201);
    expect((await scan(tenant, await cardCodeOf(app, tenant, member.id))).status).toBe(200);
    expect((await cardHistoryOf(tenant, member.id)).map((card) => card.status)).toEqual(['active', 'replaced']);
  });
});

describe('blocking a card', () => {
  it('makes it scan 404 like an unknown code until unblocked; only owners and admins may; the member stays active', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const code = await cardCodeOf(app, tenant, member.id);
    const cashier = await newStaff(app, tenant, 'cashier');
    const admin = await newStaff(app, tenant, 'admin');

    const refused = await cashier.agent.post(`/api/v1/members/${member.id}/card/block`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    const posKey = await newApiKey(tenant, ['pos']);
    expect((await app.http.post(`/api/v1/members/${member.id}/card/block`).set('Authorization', `Bearer ${posKey}`)).status).toBe(403);

    const blocked = await tenant.owner.post(`/api/v1/members/${member.id}/card/block`);
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body).toMatchObject({ cardNumber: member.cardNumber, status: 'blocked' });
    const unknown = await unknownScanBody(tenant);
    for (const text of [code, member.cardNumber]) {
      const res = await scan(tenant, text);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(unknown);
    }
    // Blocking again changes nothing.
    expect((await admin.agent.post(`/api/v1/members/${member.id}/card/block`)).status).toBe(200);
    expect((await cashier.agent.post(`/api/v1/members/${member.id}/card/unblock`)).status).toBe(403);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.status).toBe('active');

    const unblocked = await admin.agent.post(`/api/v1/members/${member.id}/card/unblock`);
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.status).toBe('active');
    const res = await scan(tenant, code);
    expect(res.status).toBe(200);
    expect(res.body.member.id).toBe(member.id);
    expect((await cardHistoryOf(tenant, member.id)).map((card) => card.status)).toEqual(['active']);
    const actions = await auditActions(tenant);
    expect(actions.filter((a) => a === 'card.blocked')).toHaveLength(1);
    expect(actions.filter((a) => a === 'card.unblocked')).toHaveLength(1);
  });
});

describe('card stock', () => {
  it('generates a batch whose CSV codes, once attached, scan to the new members', async () => {
    const tenant = await newTenant(app);
    const { batchId, cards, csv } = await newCardStock(tenant, 5);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(cards).toHaveLength(5);
    expect(new Set(cards.map((c) => c.cardNumber)).size).toBe(5);
    for (const card of cards) {
      expect(card.cardNumber).toMatch(/^\d{16}$/);
      expect(card.code).toMatch(new RegExp(`^K1\\.[0-9A-Z]{2}\\.${card.cardNumber}\\.[0-9A-Z]{16}$`));
    }
    expect(batchId).toEqual(expect.any(String));

    // Unassigned: the till does not know them yet.
    const unknown = await unknownScanBody(tenant);
    const before = await scan(tenant, cards[0].code);
    expect(before.status).toBe(404);
    expect(before.body).toEqual(unknown);

    const cashier = await newStaff(app, tenant, 'cashier');
    for (const [i, card] of cards.entries()) {
      // One card is typed by hand (a damaged print), the others scanned.
      const code = i === 4 ? card.cardNumber : card.code;
      const attached = await cashier.agent.post('/api/v1/cards/attach').send({ code, name: `Walk-in ${i}`, phone: newPhone(), marketingOptIn: true });
      expect(attached.status, JSON.stringify(attached.body)).toBe(201);
      expect(attached.body).toMatchObject({ name: `Walk-in ${i}`, cardNumber: card.cardNumber, status: 'active', points: { balance: 0 } });
      const res = await scan(tenant, card.code);
      expect(res.status).toBe(200);
      expect(res.body.member.id).toBe(attached.body.id);
      const history = await cardHistoryOf(tenant, attached.body.id);
      expect(history.map((c) => [c.cardNumber, c.status])).toEqual([[card.cardNumber, 'active']]);
    }
    expect(await auditActions(tenant)).toEqual(expect.arrayContaining(['card_stock.generated', 'card.attached']));
  });

  it('refuses a card attached twice (409 card_assigned) and keeps the card unassigned when the phone is taken (409 phone_taken)', async () => {
    const tenant = await newTenant(app);
    const { cards } = await newCardStock(tenant, 2);
    const existing = await newMember(tenant);

    const taken = await tenant.owner.post('/api/v1/cards/attach').send({ code: cards[0].code, name: 'Ani', phone: existing.phone });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('phone_taken');
    const card = await app.deps.db.selectFrom('cards').select(['status', 'member_id']).where('tenant_id', '=', tenant.id).where('number', '=', cards[0].cardNumber).executeTakeFirstOrThrow();
    expect(card).toEqual({ status: 'unassigned', member_id: null });
    expect((await scan(tenant, cards[0].code)).status).toBe(404);

    const first = await tenant.owner.post('/api/v1/cards/attach').send({ code: cards[0].code, name: 'Ani', phone: newPhone() });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await tenant.owner.post('/api/v1/cards/attach').send({ code: cards[0].code, name: 'Budi', phone: newPhone() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('card_assigned');
    // A member's card issued at sign-up is no stock card either.
    const issued = await tenant.owner.post('/api/v1/cards/attach').send({ code: await cardCodeOf(app, tenant, existing.id), name: 'Citra', phone: newPhone() });
    expect(issued.status).toBe(409);
    expect(issued.body.code).toBe('card_assigned');
  });

  it('answers 404 for another retailer’s stock card, batch or a forged code; cashiers may not make stock; a marketer may not attach', async () => {
    const tenant = await newTenant(app);
    const other = await newTenant(app);
    const { batchId, cards } = await newCardStock(other, 1);
    for (const code of [cards[0].code, cards[0].cardNumber]) {
      const res = await tenant.owner.post('/api/v1/cards/attach').send({ code, name: 'Dewi', phone: newPhone() });
      expect(res.status, code).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const mac = cards[0].code.split('.')[3];
    const forged = `${cards[0].code.slice(0, -mac.length)}${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    expect((await other.owner.post('/api/v1/cards/attach').send({ code: forged, name: 'Eka', phone: newPhone() })).status).toBe(404);
    expect((await tenant.owner.get(`/api/v1/cards/stock/${batchId}/codes.csv`)).status).toBe(404);
    expect((await other.owner.get('/api/v1/cards/stock/00000000-0000-7000-8000-000000000000/codes.csv')).status).toBe(404);

    const cashier = await newStaff(app, other, 'cashier');
    expect((await cashier.agent.post('/api/v1/cards/stock').send({ count: 1 })).status).toBe(403);
    expect((await cashier.agent.get(`/api/v1/cards/stock/${batchId}/codes.csv`)).status).toBe(403);
    const marketer = await newStaff(app, other, 'marketer');
    expect((await marketer.agent.post('/api/v1/cards/attach').send({ code: cards[0].code, name: 'Eka', phone: newPhone() })).status).toBe(403);

    for (const count of [0, 10_001, 1.5]) {
      const res = await other.owner.post('/api/v1/cards/stock').send({ count });
      expect(res.status, String(count)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.count']);
    }
  });
});
