import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeSentTo } from '../support/acquire.ts';
import { cardCodeOf, newMember, newPhone, newStaff, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { expectLedgerClean, key, lotsOf, pointsOf, postSale, refund, setPointsPolicy } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const e164 = (national: string) => `+62${national.slice(1)}`;

describe('PATCH /api/v1/members/{id}', () => {
  it('changes profile, consent and tags, audit-logged; the phone is not among them', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant, { email: 'old@contoh.id' });
    const res = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'Siti R.', email: null, marketingOptIn: true, tags: ['vip', 'kopi', 'vip'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ name: 'Siti R.', email: null, marketingOptIn: true, tags: ['kopi', 'vip'] });
    const phone = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ phone: newPhone() });
    expect(phone.status).toBe(400);
    const badTag = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ tags: ['<script>'] });
    expect(badTag.body.errors[0].path).toBe('body.tags.0');
    const future = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ birthDate: '2999-01-01' });
    expect(future.body.errors[0].path).toBe('body.birthDate');
    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: member.id });
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['member.updated']);
    const other = await newTenant(app);
    expect((await other.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'X' })).status).toBe(404);
  });
});

describe('changing a member’s phone number', () => {
  it('only with the code sent to the new number; the old number is free afterwards', async () => {
    const tenant = await newTenant(app);
    const oldPhone = newPhone();
    const member = await newMember(tenant, { phone: oldPhone });
    const next = newPhone();
    const sent = await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: next });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const code = await codeSentTo(app, tenant.id, next);
    const wrong = await tenant.owner.post(`/api/v1/members/${member.id}/phone-change/verify`).send({ phone: next, code: String((Number(code) + 1) % 1e6).padStart(6, '0') });
    expect(wrong.status).toBe(401);
    expect((await tenant.owner.get(`/api/v1/members/${member.id}`)).body.phone).toBe(e164(oldPhone));
    const ok = await tenant.owner.post(`/api/v1/members/${member.id}/phone-change/verify`).set('Idempotency-Key', `change-${next}`).send({ phone: next, code });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ phone: e164(next), phoneVerified: true });
    expect((await tenant.owner.post('/api/v1/members').send({ name: 'New', phone: oldPhone })).status).toBe(201);
    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: member.id, action: 'member.phone_changed' });
    expect(audit.body.items).toHaveLength(1);
  });

  it('refuses another member’s number, the member’s own, and a bad one, naming the field', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const other = await newMember(tenant);
    const taken = await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: other.phone });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].path).toBe('body.phone');
    expect((await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: member.phone })).status).toBe(400);
    expect((await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: '12' })).body.errors[0].path).toBe('body.phone');
  });

  it('the member can change it from the app the same way', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await newMember(tenant, { phone });
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    const next = newPhone();
    expect((await phoneApp.post('/api/v1/me/phone-change').send({ phone: next })).status).toBe(202);
    const done = await phoneApp.post('/api/v1/me/phone-change/verify').send({ phone: next, code: await codeSentTo(app, tenant.id, next) });
    expect(done.status).toBe(200);
    expect(done.body.phone).toBe(e164(next));
    expect((await phoneApp.patch('/api/v1/me').send({ marketingOptIn: true })).body.marketingOptIn).toBe(true);
  });
});

describe('member records: what a caller cannot learn or break', () => {
  it('a member changing their number cannot learn whether another number is a member; the change is refused at the code', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    await newMember(tenant, { phone });
    const someoneElse = await newMember(tenant);
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    const sentTo = async (to: string) => (await app.deps.db.selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).where('recipient', '=', to).execute()).length;
    const taken = await phoneApp.post('/api/v1/me/phone-change').send({ phone: someoneElse.phone });
    const free = await phoneApp.post('/api/v1/me/phone-change').send({ phone: newPhone() });
    expect([taken.status, free.status]).toEqual([202, 202]);
    expect(taken.body).toEqual(free.body);
    expect(await sentTo(someoneElse.phone)).toBe(0);
    const verify = await phoneApp.post('/api/v1/me/phone-change/verify').send({ phone: someoneElse.phone, code: '123456' });
    expect(verify.status).toBe(401);
  });

  it('keeps no changed-away number readable: the audit log masks it', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const next = newPhone();
    await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: next });
    await tenant.owner.post(`/api/v1/members/${member.id}/phone-change/verify`).send({ phone: next, code: await codeSentTo(app, tenant.id, next) });
    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: member.id });
    expect(JSON.stringify(audit.body)).not.toContain(e164(next).slice(3));
    expect(audit.body.items[0].details.to).toMatch(/^\+62812•+\d{3}$/);
  });

  it('an empty change changes nothing and is no error', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    expect((await tenant.owner.patch(`/api/v1/members/${member.id}`).send({})).status).toBe(200);
    expect((await tenant.owner.patch('/api/v1/settings/referrals').send({})).status).toBe(200);
    expect((await tenant.owner.patch('/api/v1/settings/lifecycle').send({})).status).toBe(200);
  });
});

describe('POST /api/v1/members/{id}/merge', () => {
  it('moves points with their lots and expiry, pending points, sales, vouchers and cards; the ledger stays consistent', async () => {
    const tenant = await newTenant(app);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 12, returnWindowDays: 0 });
    const survivor = await newMember(tenant, { name: 'Siti Rahayu', tags: undefined });
    const duplicate = await newMember(tenant, { name: 'Siti R.', email: 'siti@contoh.id' });
    await postSale(tenant, saleBody({ memberId: survivor.id, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }] }));
    const dupSale = await postSale(tenant, saleBody({ memberId: duplicate.id, items: [{ sku: 'B', quantity: 2, unitPrice: rupiah(50_000) }] }));
    await setPointsPolicy(tenant, { returnWindowDays: 7 });
    await postSale(tenant, saleBody({ memberId: duplicate.id, items: [{ sku: 'C', quantity: 1, unitPrice: rupiah(30_000) }] }));
    const voucher = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: rupiah(10_000), memberId: duplicate.id, expiresAt: new Date(Date.now() + 30 * 86400e3).toISOString() });
    expect(voucher.status, JSON.stringify(voucher.body)).toBe(201);
    const dupCard = await cardCodeOf(app, tenant, duplicate.id);
    const before = { s: await pointsOf(tenant, survivor.id), d: await pointsOf(tenant, duplicate.id) };
    const dupLots = await lotsOf(tenant, duplicate.id);
    expect(before.d.pending).toBeGreaterThan(0);

    const res = await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.moved).toMatchObject({
      points: { balance: before.d.balance, pending: before.d.pending, debt: 0 }, transactions: 2, vouchers: 1, cards: 1,
    });
    expect(res.body.member).toMatchObject({
      id: survivor.id, email: 'siti@contoh.id',
      points: { balance: before.s.balance + before.d.balance, pending: before.s.pending + before.d.pending, debt: 0 },
    });
    const after = await lotsOf(tenant, survivor.id);
    for (const lot of dupLots) expect(after).toContainEqual(expect.objectContaining({ id: lot.id, remaining: lot.remaining, expiresAt: lot.expiresAt, status: lot.status }));
    expect(await lotsOf(tenant, duplicate.id)).toEqual([]);

    const merged = await tenant.owner.get(`/api/v1/members/${duplicate.id}`);
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: survivor.id, points: { balance: 0, pending: 0, debt: 0 } });
    expect((await tenant.owner.post('/api/v1/scan').send({ code: dupCard })).status).toBe(404);
    expect((await tenant.owner.post('/api/v1/scan').send({ code: await cardCodeOf(app, tenant, survivor.id) })).status).toBe(200);
    const sales = await tenant.owner.get('/api/v1/transactions').query({ memberId: survivor.id });
    expect(sales.body.items).toHaveLength(3);
    const vouchers = await app.deps.db.selectFrom('vouchers').select('member_id').where('tenant_id', '=', tenant.id).execute();
    expect(vouchers).toEqual([{ member_id: survivor.id }]);
    const entries = (await pointsOf(tenant, survivor.id)).entries.items.filter((e) => e.reference === `merge:${res.body.mergeId}`);
    expect(entries.map((e) => [e.kind, e.bucket, e.points]).sort()).toEqual([['adjust', 'balance', before.d.balance], ['adjust', 'pending', before.d.pending]].sort());
    await expectLedgerClean(app, tenant.id);

    // A refund of the moved sale takes its points back from the survivor, from the sale's own lots.
    const refunded = await refund(tenant, dupSale.id);
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(201);
    expect(refunded.body.points.balance).toBe(before.s.balance + before.d.balance - dupSale.pointsEarned);
    await expectLedgerClean(app, tenant.id);

    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: survivor.id, action: 'member.merged' });
    expect(audit.body.items).toHaveLength(1);
    const again = await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id });
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toEqual({ path: 'body.duplicateId', message: 'Already merged' });
    // The duplicate's number is free again.
    expect((await tenant.owner.post('/api/v1/members').send({ name: 'New owner', phone: duplicate.phone })).status).toBe(201);
  });

  it('a survivor in debt pays it from the merged balance; another retailer’s member is 404', async () => {
    const tenant = await newTenant(app);
    const survivor = await newMember(tenant);
    const duplicate = await newMember(tenant);
    const sale = await postSale(tenant, saleBody({ memberId: survivor.id }));
    await tenant.owner.post(`/api/v1/members/${survivor.id}/points/redemptions`).set('Idempotency-Key', key()).send({ points: sale.pointsEarned });
    expect((await refund(tenant, sale.id)).status).toBe(201);
    expect((await pointsOf(tenant, survivor.id)).debt).toBe(sale.pointsEarned);
    await tenant.owner.post(`/api/v1/members/${duplicate.id}/points/adjustments`).send({ points: 50, reason: 'opening balance' });
    const res = await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id });
    expect(res.status).toBe(200);
    expect(res.body.member.points).toEqual({ balance: 50 - sale.pointsEarned, pending: 0, debt: 0 });
    await expectLedgerClean(app, tenant.id);
    const other = await newTenant(app);
    const theirs = await newMember(other);
    expect((await tenant.owner.post(`/api/v1/members/${theirs.id}/merge`).send({ duplicateId: duplicate.id })).status).toBe(404);
  });

  it('is for owners and admins, refuses itself and strangers, signs the duplicate out, and replays a retry', async () => {
    const tenant = await newTenant(app);
    const a = await newMember(tenant);
    const phone = newPhone();
    const b = await newMember(tenant, { phone });
    const phoneApp = app.agent();
    await phoneApp.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone });
    await phoneApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(app, tenant.id, phone) });
    expect((await phoneApp.get('/api/v1/me')).status).toBe(200);

    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await marketer.agent.post(`/api/v1/members/${a.id}/merge`).send({ duplicateId: b.id })).status).toBe(403);
    expect((await tenant.owner.post(`/api/v1/members/${a.id}/merge`).send({ duplicateId: a.id })).body.errors[0].path).toBe('body.duplicateId');
    const other = await newTenant(app);
    const stranger = await newMember(other);
    expect((await tenant.owner.post(`/api/v1/members/${a.id}/merge`).send({ duplicateId: stranger.id })).body.errors[0]).toEqual({ path: 'body.duplicateId', message: 'No such member' });

    const idem = key();
    const first = await tenant.owner.post(`/api/v1/members/${a.id}/merge`).set('Idempotency-Key', idem).send({ duplicateId: b.id });
    const retry = await tenant.owner.post(`/api/v1/members/${a.id}/merge`).set('Idempotency-Key', idem).send({ duplicateId: b.id });
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await phoneApp.get('/api/v1/me')).status).toBe(401);
    await expectLedgerClean(app, tenant.id);
  });
});
