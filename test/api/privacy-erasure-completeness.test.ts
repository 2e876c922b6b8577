import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInMember } from '../support/cards.ts';
import { newMember, newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const e164 = (phone: string) => `+62${phone.slice(1)}`;

describe('erasure leaves no personal data behind', () => {
  it('scrubs the stored answers of idempotent requests: a replayed sign-up no longer returns the name, phone or email', async () => {
    const tenant = await newTenant(app);
    const key = crypto.randomUUID();
    const phone = newPhone();
    const body = { name: 'Gita Savitri', phone, email: 'gita@example.com', birthDate: '1991-07-04' };
    const created = await tenant.owner.post('/api/v1/members').set('Idempotency-Key', key).send(body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await tenant.owner.post(`/api/v1/members/${created.body.id}/erasure`).send({ reason: 'Letter' })).status).toBe(200);

    const replayed = await tenant.owner.post('/api/v1/members').set('Idempotency-Key', key).send(body);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const text = JSON.stringify(replayed.body);
    for (const personal of ['Gita Savitri', 'gita@example.com', e164(phone), '1991-07-04']) expect(text).not.toContain(personal);
    const stored = await app.deps.db.selectFrom('idempotency_keys').select('response_body').where('tenant_id', '=', tenant.id).execute();
    for (const personal of ['Gita Savitri', 'gita@example.com', e164(phone)]) expect(JSON.stringify(stored)).not.toContain(personal);
  });

  it('erases the duplicates merged into the member too', async () => {
    const tenant = await newTenant(app);
    const survivor = await newMember(tenant, { name: 'Hana Utama' });
    const duplicate = await newMember(tenant, { name: 'Hana Ganda', email: 'hana.lama@example.com', birthDate: '1979-11-30' });
    const merged = await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect((await tenant.owner.post(`/api/v1/members/${survivor.id}/erasure`).send({ reason: 'Letter' })).status).toBe(200);

    const rows = await app.deps.db.selectFrom('members').selectAll().where('tenant_id', '=', tenant.id).execute();
    const text = JSON.stringify(rows);
    for (const personal of ['Hana Utama', 'Hana Ganda', 'hana.lama@example.com', '1979-11-30', duplicate.phone]) expect(text).not.toContain(personal);
    expect(rows.find((r) => r.id === duplicate.id)).toMatchObject({ status: 'merged', merged_into: survivor.id });
  });
});

/** The one-time code last sent to this number. */
async function codeSentTo(tenant: Tenant, phone: string) {
  const message = await app.deps.db.selectFrom('outbox_messages').select('body')
    .where('tenant_id', '=', tenant.id).where('purpose', '=', 'otp').where('recipient', '=', e164(phone))
    .orderBy('id', 'desc').executeTakeFirstOrThrow();
  return /(?<!\d)(\d{6})(?!\d)/.exec(message.body)![1];
}

describe('GET /api/v1/me/export', () => {
  it('leaves out the messages of the member who had this phone number before', async () => {
    const tenant = await newTenant(app);
    const { member: first, phone, phoneApp: firstApp } = await signedInMember(app, tenant, { name: 'Indah Dulu' });
    const thread = await firstApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Kartu saya hilang' });
    expect(thread.status).toBe(201);
    expect((await tenant.owner.post(`/api/v1/feedback/${thread.body.id}/replies`).send({ text: 'Bu Indah, kartu baru siap di kasir' })).status).toBe(201);
    const replies = await app.deps.db.selectFrom('outbox_messages').select(['member_id', 'recipient']).where('tenant_id', '=', tenant.id).where('purpose', '=', 'feedback_reply').execute();
    expect(replies).toEqual([{ member_id: first.id, recipient: e164(phone) }]);

    const newNumber = newPhone();
    expect((await tenant.owner.post(`/api/v1/members/${first.id}/phone-change`).send({ phone: newNumber })).status).toBe(202);
    const changed = await tenant.owner.post(`/api/v1/members/${first.id}/phone-change/verify`).send({ phone: newNumber, code: await codeSentTo(tenant, newNumber) });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    const second = await newMember(tenant, { name: 'Joko Baru', phone });
    expect((await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone })).status).toBe(202);
    const secondApp = app.agent();
    expect((await secondApp.post('/api/v1/member-auth/verify').send({ slug: tenant.slug, phone, code: await codeSentTo(tenant, phone) })).status).toBe(200);
    const exported = await secondApp.get('/api/v1/me/export');
    expect(exported.status).toBe(200);
    expect(exported.body.profile.id).toBe(second.id);
    expect(JSON.stringify(exported.body)).not.toContain('Bu Indah');
  });
});
