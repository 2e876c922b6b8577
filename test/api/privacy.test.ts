import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinWithCode } from '../support/acquire.ts';
import { signedInMember } from '../support/cards.ts';
import { cardCodeOf, newMember, newStaff, newStore, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { adjust, expectLedgerClean, postSale, setPointsPolicy } from '../support/points.ts';
import { newWebhook } from '../support/webhooks.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const e164 = (phone: string) => `+62${phone.slice(1)}`;

describe('GET /api/v1/me/export', () => {
  it('is an attachment with the member’s own data, nothing of another member or retailer, and no secrets', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant, { name: 'Cabang Kemang' });
    const { member, phone, phoneApp } = await signedInMember(app, tenant, { name: 'Ayu Lestari', email: 'ayu@example.com', birthDate: '1990-05-17' });
    const neighbour = await newMember(tenant, { name: 'Budi Tetangga', email: 'budi@example.com' });
    const other = await newTenant(app);
    const stranger = await newMember(other, { name: 'Citra Lain', phone });
    await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, items: [{ sku: 'KOPI-1', name: 'Kopi Susu', quantity: 2, unitPrice: rupiah(25_000) }] }));
    await postSale(tenant, saleBody({ memberId: neighbour.id, items: [{ sku: 'TEH-9', name: 'Teh Tarik', quantity: 1, unitPrice: rupiah(10_000) }] }));
    await postSale(other, saleBody({ memberId: stranger.id, items: [{ sku: 'ROTI-7', name: 'Roti Bakar', quantity: 1, unitPrice: rupiah(10_000) }] }));
    await adjust(tenant, member.id, 40, 'goodwill');
    expect((await phoneApp.post('/api/v1/me/feedback').send({ kind: 'suggestion', text: 'Tolong tambah kursi' })).status).toBe(201);
    expect((await phoneApp.patch('/api/v1/me').send({ marketingOptIn: true })).status).toBe(200);

    const res = await phoneApp.get('/api/v1/me/export');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${tenant.slug}-my-data-\\d{4}-\\d{2}-\\d{2}\\.json"$`));
    const data = res.body;
    expect(data.profile).toMatchObject({ id: member.id, name: 'Ayu Lestari', phone: e164(phone), email: 'ayu@example.com', birthDate: '1990-05-17' });
    expect(data.consents).toEqual([{ purpose: 'marketing', given: true, since: expect.any(String) }]);
    expect(data.cards).toEqual([expect.objectContaining({ number: member.cardNumber, status: 'active' })]);
    expect(data.transactions).toHaveLength(1);
    expect(data.transactions[0]).toMatchObject({ store: 'Cabang Kemang', items: [expect.objectContaining({ sku: 'KOPI-1', name: 'Kopi Susu', quantity: 2 })] });
    expect(data.points.entries.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['earn', 'adjust']));
    expect(data.points.entries.find((e: { kind: string }) => e.kind === 'adjust').note).toBe('goodwill');
    expect(data.points.lots.length).toBeGreaterThan(0);
    expect(data.feedback).toEqual([expect.objectContaining({ kind: 'suggestion', text: 'Tolong tambah kursi' })]);
    expect(data.membership).toMatchObject({ tier: { code: expect.any(String) }, lifecycleStage: expect.any(String) });
    // The sign-in code was sent to the member: listed, its text left out.
    expect(data.messages).toEqual(expect.arrayContaining([expect.objectContaining({ purpose: 'otp', to: e164(phone), text: null })]));

    const text = JSON.stringify(data);
    for (const foreign of ['Budi Tetangga', 'budi@example.com', 'TEH-9', 'Citra Lain', 'ROTI-7', neighbour.id, stranger.id]) expect(text).not.toContain(foreign);
    expect(text).not.toMatch(/secret|rotating|kid|code_hash|password/i);
    const code = await cardCodeOf(app, tenant, member.id);
    expect(text).not.toContain(code);
  });

  it('needs a member session, and is limited to 5 an hour', async () => {
    const tenant = await newTenant(app);
    expect((await tenant.owner.get('/api/v1/me/export')).status).toBe(401);
    const { phoneApp } = await signedInMember(app, tenant);
    for (let i = 0; i < 5; i++) expect((await phoneApp.get('/api/v1/me/export')).status).toBe(200);
    const limited = await phoneApp.get('/api/v1/me/export');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('POST /api/v1/me/erasure', () => {
  it('refuses without the confirmation word, naming the field, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant, { name: 'Dewi' });
    const res = await phoneApp.post('/api/v1/me/erasure').send({ confirm: 'ya' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'body.confirm', message: expect.stringContaining('HAPUS') }]);
    expect((await phoneApp.get('/api/v1/me')).body).toMatchObject({ id: member.id, name: 'Dewi', status: 'active' });
  });

  it('erases personal data, forfeits the points once, keeps the ledger whole, ends the session, and frees the phone', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { returnWindowDays: 7 });
    const store = await newStore(tenant);
    await newWebhook(tenant, 'https://127.0.0.1/kartu-hook');
    const { member, phone, phoneApp } = await signedInMember(app, tenant, { name: 'Eka Putri', email: 'eka@example.com', birthDate: '1988-02-29' });
    await adjust(tenant, member.id, 120, 'opening balance');
    const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id }));
    expect(sale.pointsEarned).toBeGreaterThan(0);
    const thread = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Nomor saya 0812 9999 1111, tolong telepon' });
    expect(thread.status).toBe(201);
    expect((await tenant.owner.post(`/api/v1/feedback/${thread.body.id}/replies`).send({ text: 'Baik Bu Eka, kami telepon' })).status).toBe(201);
    const code = await cardCodeOf(app, tenant, member.id);
    const before = (await phoneApp.get('/api/v1/me/points')).body;
    expect(before).toMatchObject({ balance: 120, pending: sale.pointsEarned });

    const erased = await phoneApp.post('/api/v1/me/erasure').send({ confirm: ' hapus ' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body).toEqual({ memberId: member.id, erasedAt: expect.any(String), pointsForfeited: { balance: 120, pending: sale.pointsEarned, debt: 0 } });
    expect(String(erased.headers['set-cookie'])).toMatch(/kartu_member=;/);

    // The old session has stopped, even replayed by hand.
    expect((await phoneApp.get('/api/v1/me')).status).toBe(401);
    expect((await phoneApp.post('/api/v1/me/erasure').send({ confirm: 'HAPUS' })).status).toBe(401);

    const seen = await tenant.owner.get(`/api/v1/members/${member.id}`);
    expect(seen.body).toMatchObject({ id: member.id, status: 'erased', name: '', email: null, birthDate: null, marketingOptIn: false, erasedAt: erased.body.erasedAt, points: { balance: 0, pending: 0, debt: 0 } });
    expect(seen.body.phone).not.toContain(e164(phone).slice(3));
    expect((await tenant.owner.post('/api/v1/scan').send({ code })).status).toBe(404);

    // Free text and message recipients are gone; the sale and its lines stay for the books.
    const db = app.deps.db;
    const texts = await db.selectFrom('feedback_messages').select('body').where('tenant_id', '=', tenant.id).execute();
    expect(texts.map((t) => t.body)).toEqual(['[erased]']);
    const threads = await db.selectFrom('feedback_threads').select(['kind', 'body']).where('tenant_id', '=', tenant.id).execute();
    expect(threads).toEqual([{ kind: 'complaint', body: '[erased]' }]);
    const messages = await db.selectFrom('outbox_messages').select(['recipient', 'body']).where('tenant_id', '=', tenant.id).execute();
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m).toEqual({ recipient: '[erased]', body: '[erased]' });
    const deliveries = await db.selectFrom('webhook_deliveries').select('body').where('tenant_id', '=', tenant.id).execute();
    expect(deliveries.some((d) => d.body.includes(member.id))).toBe(true);
    for (const { body } of deliveries) for (const personal of ['Eka Putri', 'eka@example.com', e164(phone)]) expect(body).not.toContain(personal);
    const sessions = await db.selectFrom('sessions').select('id').where('tenant_id', '=', tenant.id).where('principal_id', '=', member.id).execute();
    expect(sessions).toEqual([]);
    const kept = await db.selectFrom('transactions').select(['member_id', 'total']).where('tenant_id', '=', tenant.id).execute();
    expect(kept).toEqual([{ member_id: member.id, total: sale.total }]);
    const everything = JSON.stringify(await db.selectFrom('members').selectAll().where('tenant_id', '=', tenant.id).where('id', '=', member.id).executeTakeFirst());
    for (const personal of ['Eka Putri', 'eka@example.com', '1988', e164(phone)]) expect(everything).not.toContain(personal);

    // Forfeited through the ledger, once; the ledger still adds up.
    const forfeits = await db.selectFrom('point_entries').select(['kind', 'bucket', 'points']).where('tenant_id', '=', tenant.id).where('reference', '=', 'erasure').orderBy('bucket').execute();
    expect(forfeits).toEqual([
      { kind: 'adjust', bucket: 'balance', points: -120 },
      { kind: 'adjust', bucket: 'pending', points: -sale.pointsEarned },
    ]);
    await expectLedgerClean(app, tenant.id);

    // The phone joins again, as a new member.
    const again = await joinWithCode(app, tenant, { phone, name: 'Eka Baru' });
    expect(again.res.status, JSON.stringify(again.res.body)).toBe(201);
    const fresh = await again.client.get('/api/v1/me');
    expect(fresh.body).toMatchObject({ name: 'Eka Baru', phone: e164(phone), status: 'active' });
    expect(fresh.body.id).not.toBe(member.id);
    await expectLedgerClean(app, tenant.id);
  });
});

describe('POST /api/v1/members/{id}/erasure', () => {
  it('lets owners and admins erase on a written request, audit-logged, and a retry or a race forfeits nothing more', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant, { name: 'Fajar' });
    await adjust(tenant, member.id, 75, 'opening balance');
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.post(`/api/v1/members/${member.id}/erasure`).send({ reason: 'Letter' })).status).toBe(403);
    const other = await newTenant(app);
    expect((await other.owner.post(`/api/v1/members/${member.id}/erasure`).send({ reason: 'Letter' })).status).toBe(404);
    expect((await tenant.owner.post(`/api/v1/members/${member.id}/erasure`).send({ reason: '' })).body.errors).toEqual([{ path: 'body.reason', message: expect.any(String) }]);

    const admin = await newStaff(app, tenant, 'admin');
    const [first, second] = await Promise.all([
      admin.agent.post(`/api/v1/members/${member.id}/erasure`).send({ reason: 'Letter of 1 December' }),
      tenant.owner.post(`/api/v1/members/${member.id}/erasure`).send({ reason: 'Letter of 1 December' }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toEqual(second.body);
    expect(first.body.pointsForfeited).toEqual({ balance: 75, pending: 0, debt: 0 });
    const retry = await tenant.owner.post(`/api/v1/members/${member.id}/erasure`).send({ reason: 'Letter of 1 December' });
    expect(retry.body).toEqual(first.body);

    const forfeits = await app.deps.db.selectFrom('point_entries').select('points').where('tenant_id', '=', tenant.id).where('reference', '=', 'erasure').execute();
    expect(forfeits).toEqual([{ points: -75 }]);
    await expectLedgerClean(app, tenant.id);
    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).where('action', '=', 'member.erased').execute();
    expect(audit).toEqual([{ action: 'member.erased', details: expect.objectContaining({ reason: 'Letter of 1 December', pointsForfeited: { balance: 75, pending: 0, debt: 0 } }) }]);

    // An erased member takes no new sale and no profile change.
    const sale = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', crypto.randomUUID()).send(saleBody({ memberId: member.id }));
    expect(sale.status).toBe(400);
    expect(sale.body.errors[0].path).toBe('body.memberId');
    expect((await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'Fajar lagi' })).status).toBe(409);
  });
});
