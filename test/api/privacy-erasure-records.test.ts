import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueMessages } from '../../api/src/messages/dispatch.ts';
import { signedInMember } from '../support/cards.ts';
import { newMember, newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { newWebhook } from '../support/webhooks.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Erasure reaches the records kept about a member besides the profile: the audit log, messages
// still waiting to go, and webhook bodies (also those of duplicates merged into the member).

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const e164 = (phone: string) => `+62${phone.slice(1)}`;
const erase = (tenant: Tenant, memberId: string) => tenant.owner.post(`/api/v1/members/${memberId}/erasure`).send({ reason: 'Letter' });

async function codeSentTo(tenant: Tenant, phone: string) {
  const message = await app.deps.db.selectFrom('outbox_messages').select('body')
    .where('tenant_id', '=', tenant.id).where('purpose', '=', 'otp').where('recipient', '=', e164(phone))
    .orderBy('id', 'desc').executeTakeFirstOrThrow();
  return /(?<!\d)(\d{6})(?!\d)/.exec(message.body)![1];
}

describe('erasure and the audit log', () => {
  it('keeps each row, its action and actor, and replaces the personal values staff wrote about the member', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant, { name: 'Kirana Awal' });
    const edited = await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'Kirana Wulandari', email: 'kirana@example.com', birthDate: '1985-03-09', tags: ['kirana-vip'] });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const newNumber = newPhone();
    expect((await tenant.owner.post(`/api/v1/members/${member.id}/phone-change`).send({ phone: newNumber })).status).toBe(202);
    const changed = await tenant.owner.post(`/api/v1/members/${member.id}/phone-change/verify`).send({ phone: newNumber, code: await codeSentTo(tenant, newNumber) });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const thread = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Kartu hilang' });
    expect((await tenant.owner.post(`/api/v1/feedback/${thread.body.id}/replies`).send({ text: 'Bu Kirana, kartu baru siap' })).status).toBe(201);
    const neighbour = await newMember(tenant, { name: 'Lukas Tetangga' });
    expect((await tenant.owner.patch(`/api/v1/members/${neighbour.id}`).send({ name: 'Lukas Tetap' })).status).toBe(200);
    const before = await app.deps.db.selectFrom('audit_log').select(['id', 'action', 'actor_id', 'target_id']).where('tenant_id', '=', tenant.id).orderBy('id').execute();
    expect(before.map((r) => r.action)).toEqual(expect.arrayContaining(['member.updated', 'member.phone_changed', 'feedback.replied']));

    expect((await erase(tenant, member.id)).status).toBe(200);

    const after = await app.deps.db.selectFrom('audit_log').select(['id', 'action', 'actor_id', 'target_id', 'details']).where('tenant_id', '=', tenant.id).orderBy('id').execute();
    expect(after.slice(0, before.length).map(({ details: _, ...row }) => row)).toEqual(before);
    const text = JSON.stringify(after);
    for (const personal of ['Kirana', 'kirana@example.com', '1985-03-09', 'kirana-vip', newNumber.slice(-3) + '"']) expect(text).not.toContain(personal);
    expect(after.find((r) => r.action === 'member.updated' && r.target_id === member.id)!.details).toEqual({ name: '[erased]', email: '[erased]', birthDate: '[erased]', tags: '[erased]' });
    expect(after.find((r) => r.action === 'feedback.replied')!.details).toMatchObject({ text: '[erased]' });
    // Another member's entries stay as written.
    expect(after.find((r) => r.target_id === neighbour.id)!.details).toEqual({ name: 'Lukas Tetap' });
  });

  it('stays append-only outside an erasure', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    expect((await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ name: 'Mira' })).status).toBe(200);
    const db = app.deps.db;
    const mine = sql`tenant_id = ${tenant.id}`;
    await expect(sql`update audit_log set details = '{}' where ${mine}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where ${mine}`.execute(db)).rejects.toThrow(/append-only/);
    // Even while an erasure scrubs, only the details may change.
    await expect(db.transaction().execute(async (trx) => {
      await sql`select set_config('kartu.audit_scrub', 'on', true)`.execute(trx);
      await sql`update audit_log set action = 'member.viewed' where ${mine}`.execute(trx);
    })).rejects.toThrow(/append-only/);
    expect(await db.selectFrom('audit_log').select(['action', 'details']).where('tenant_id', '=', tenant.id).execute()).toEqual([{ action: 'member.updated', details: { name: 'Mira' } }]);
  });
});

describe('erasure and messages still to be sent', () => {
  it('fails them with the reason, so no one sends to an erased person, and refuses to retry them', async () => {
    const gateway = await startHttpReceiver();
    try {
      await failsQueuedMessages(gateway);
    } finally {
      await gateway.close();
    }
  });
});

async function failsQueuedMessages(gateway: Awaited<ReturnType<typeof startHttpReceiver>>) {
  const tenant = await newTenant(app);
  await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
    kind: 'http', url: `${gateway.url}/send`, method: 'POST', headers: [], bodyTemplate: '{"to":"{{to}}","text":"{{text}}"}', contentType: 'application/json',
  }).expect(200);
  await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms'] }).expect(200);
  const { member, phone, phoneApp } = await signedInMember(app, tenant, { name: 'Nadia Antri' });
  const thread = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Poin hilang' });
  expect((await tenant.owner.post(`/api/v1/feedback/${thread.body.id}/replies`).send({ text: 'Bu Nadia, kami cek' })).status).toBe(201);
  const db = app.deps.db;
  const queued = await db.selectFrom('outbox_messages').select(['id', 'status']).where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).execute();
  expect(queued).toEqual([{ id: expect.any(String), status: 'pending' }]);
  // The sign-in code went first; it is marked sent, as the dispatcher would.
  await db.updateTable('outbox_messages').set({ status: 'sent', sent_at: new Date() }).where('tenant_id', '=', tenant.id).where('purpose', '=', 'otp').execute();

  expect((await erase(tenant, member.id)).status).toBe(200);

  const rows = await db.selectFrom('outbox_messages').select(['id', 'purpose', 'status', 'last_error', 'recipient', 'body', 'next_attempt_at'])
    .where('tenant_id', '=', tenant.id).orderBy('purpose').execute();
  expect(rows).toMatchObject([
    { id: queued[0]!.id, purpose: 'feedback_reply', status: 'failed', last_error: 'member erased', recipient: '[erased]', body: '[erased]', next_attempt_at: null },
    { purpose: 'otp', status: 'sent', last_error: null, recipient: '[erased]', body: '[erased]' },
  ]);
  expect(JSON.stringify(rows)).not.toContain(e164(phone));
  await dispatchDueMessages(app.deps, new Date());
  expect(gateway.requests).toEqual([]);
  const retry = await tenant.owner.post(`/api/v1/outbox/${queued[0]!.id}/retry`);
  expect(retry.status).toBe(409);
  expect((await db.selectFrom('outbox_messages').select('status').where('tenant_id', '=', tenant.id).where('id', '=', queued[0]!.id).executeTakeFirstOrThrow()).status).toBe('failed');
}

describe('erasure and webhook bodies', () => {
  it('scrubs member.created of the member, as named then, and of the duplicates merged into them', async () => {
    const tenant = await newTenant(app);
    await newWebhook(tenant, 'https://127.0.0.1/kartu-hook');
    const survivor = await newMember(tenant, { name: 'Oki Lama', email: 'oki.lama@example.com' });
    const duplicate = await newMember(tenant, { name: 'Oki Kembar', email: 'oki.kembar@example.com' });
    const bystander = await newMember(tenant, { name: 'Putu Lain' });
    expect((await tenant.owner.patch(`/api/v1/members/${survivor.id}`).send({ name: 'Oki Baru', email: 'oki.baru@example.com' })).status).toBe(200);
    expect((await tenant.owner.post(`/api/v1/members/${survivor.id}/merge`).send({ duplicateId: duplicate.id })).status).toBe(200);

    expect((await erase(tenant, survivor.id)).status).toBe(200);

    const deliveries = await app.deps.db.selectFrom('webhook_deliveries').select(['event', 'body']).where('tenant_id', '=', tenant.id).where('event', '=', 'member.created').execute();
    const bodies = deliveries.map((d) => JSON.parse(d.body));
    const of = (id: string) => bodies.find((b) => b.data.member.id === id).data.member;
    for (const id of [survivor.id, duplicate.id]) expect(of(id)).toMatchObject({ id, name: '[erased]', phone: '[erased]', email: '[erased]' });
    const text = JSON.stringify(deliveries);
    for (const personal of ['Oki', 'oki.', survivor.phone, duplicate.phone]) expect(text).not.toContain(personal);
    expect(of(bystander.id)).toMatchObject({ name: 'Putu Lain' });
  });
});
