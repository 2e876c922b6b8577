import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInMember } from '../support/cards.ts';
import { newApiKey, newMember, newStaff, newStore, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { adjust, postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const inFuture = (days: number) => new Date(Date.now() + days * 86400e3).toISOString();
const LISTS = ['vouchers', 'segments', 'messages', 'feedback', 'audit'] as const;

async function createBatch(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/vouchers/batches').send({ count: 1, kind: 'amount', value: rupiah(10_000), expiresAt: inFuture(30), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { batchId: string };
}

async function createSegment(tenant: Tenant, code: string, rules: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/segments').send({ code, name: `Segment ${code}`, rules });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

/** A member with a sale, a personal voucher, a used public code, a feedback thread with a reply, a sign-in code and a points adjustment. */
async function memberWithHistory(tenant: Tenant) {
  const store = await newStore(tenant);
  const { member, phoneApp, code: signInCode } = await signedInMember(app, tenant);
  await createBatch(tenant, { code: 'HEMAT-10' });
  const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, voucherCodes: ['hemat10'] }));
  await createBatch(tenant, { memberId: member.id, kind: 'percent', value: 20, maxDiscount: rupiah(50_000) });
  const thread = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Antrean kasir panjang sekali' });
  expect(thread.status, JSON.stringify(thread.body)).toBe(201);
  const reply = await tenant.owner.post(`/api/v1/feedback/${thread.body.id}/replies`).send({ text: 'Maaf, kami tambah kasir.' });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  await adjust(tenant, member.id, 250, 'Goodwill for the queue');
  return { store, member, sale, signInCode, threadId: thread.body.id as string };
}

describe('the member 360° lists', () => {
  it('lists the member’s vouchers with status and uses, newest first, paged', async () => {
    const tenant = await newTenant(app);
    const { member } = await memberWithHistory(tenant);
    const other = await newMember(tenant);
    await createBatch(tenant, { memberId: other.id });

    const res = await tenant.owner.get(`/api/v1/members/${member.id}/vouchers`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toHaveLength(2);
    const [personal, shared] = res.body.items;
    expect(personal).toMatchObject({ origin: 'personal', personal: true, kind: 'percent', value: 20, status: 'active', uses: 0, maxUses: 1, usesByMember: 0 });
    expect(shared).toMatchObject({ code: 'HEMAT10', origin: 'public', personal: false, kind: 'amount', value: rupiah(10_000), status: 'used_up', uses: 1, usesByMember: 1 });
    expect(Date.parse(shared.expiresAt)).toBeGreaterThan(Date.now());

    const first = await tenant.owner.get(`/api/v1/members/${member.id}/vouchers?limit=1`);
    expect(first.body.items.map((v: { id: string }) => v.id)).toEqual([personal.id]);
    const second = await tenant.owner.get(`/api/v1/members/${member.id}/vouchers?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [shared], nextCursor: null });
  });

  it('evaluates the active segments for the member now: in and out, archived ones left out', async () => {
    const tenant = await newTenant(app);
    const { member, store } = await memberWithHistory(tenant);
    const buyers = await createSegment(tenant, 'buyers', { match: 'all', conditions: [{ type: 'visits', withinDays: 30, min: 1 }] });
    await createSegment(tenant, 'big-spenders', { match: 'all', conditions: [{ type: 'spend', withinDays: 30, min: rupiah(10_000_000) }] });
    const atStore = await createSegment(tenant, 'at-store', { match: 'all', conditions: [{ type: 'store', stores: [store.id] }] });
    const archived = await createSegment(tenant, 'old', { match: 'all', conditions: [] });
    expect((await tenant.owner.delete(`/api/v1/segments/${archived.id}`)).status).toBeLessThan(300);

    const res = await tenant.owner.get(`/api/v1/members/${member.id}/segments`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.map((s: { id: string }) => s.id).sort()).toEqual([buyers.id, atStore.id].sort());
    expect(res.body.items.find((s: { id: string }) => s.id === buyers.id)).toEqual({ id: buyers.id, code: 'buyers', name: 'Segment buyers', description: null });

    const stranger = await newMember(tenant);
    expect((await tenant.owner.get(`/api/v1/members/${stranger.id}/segments`)).body.items).toEqual([]);
  });

  it('lists messages sent to the member with status and failure reason, never a one-time code’s body', async () => {
    const tenant = await newTenant(app);
    const { member, signInCode } = await memberWithHistory(tenant);
    await newMember(tenant);
    const reply = await app.deps.db
      .selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).where('member_id', '=', member.id).executeTakeFirstOrThrow();
    await app.deps.db
      .updateTable('outbox_messages').set({ status: 'failed', attempts: 5, last_error: 'Gateway said 503' })
      .where('tenant_id', '=', tenant.id).where('id', '=', reply.id).execute();

    const res = await tenant.owner.get(`/api/v1/members/${member.id}/messages`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.map((m: { purpose: string }) => m.purpose)).toEqual(['feedback_reply', 'otp']);
    const [sent, code] = res.body.items;
    expect(sent).toMatchObject({ id: reply.id, oneTimeCode: false, status: 'failed', attempts: 5, lastError: 'Gateway said 503', recipient: member.phone });
    expect(sent.body).toContain('Maaf, kami tambah kasir.');
    expect(code).toMatchObject({ purpose: 'otp', oneTimeCode: true, body: null, recipient: member.phone });
    expect(JSON.stringify(res.body)).not.toContain(signInCode);
  });

  it('lists the member’s feedback threads and the audit trail about the member', async () => {
    const tenant = await newTenant(app);
    const { member, threadId } = await memberWithHistory(tenant);
    const block = await tenant.owner.post(`/api/v1/members/${member.id}/card/block`);
    expect(block.status, JSON.stringify(block.body)).toBe(200);
    const someoneElse = await newMember(tenant);
    await adjust(tenant, someoneElse.id, 10, 'Not about our member');

    const feedback = await tenant.owner.get(`/api/v1/members/${member.id}/feedback`);
    expect(feedback.status, JSON.stringify(feedback.body)).toBe(200);
    expect(feedback.body.items).toHaveLength(1);
    expect(feedback.body.items[0]).toMatchObject({ id: threadId, kind: 'complaint', status: 'in_progress', member: { id: member.id } });
    expect((await tenant.owner.get(`/api/v1/members/${someoneElse.id}/feedback`)).body.items).toEqual([]);

    const audit = await tenant.owner.get(`/api/v1/members/${member.id}/audit`);
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    // The reply and the status change it makes are written in one transaction, in either order.
    expect(actions.slice(0, 2)).toEqual(['card.blocked', 'points.adjusted']);
    expect(actions.slice(2).sort()).toEqual(['feedback.replied', 'feedback.status_changed']);
    expect(audit.body.items[1]).toMatchObject({
      actor: { kind: 'staff', id: tenant.ownerId }, target: { type: 'member', id: member.id }, details: { points: 250, reason: 'Goodwill for the queue' },
    });
    expect(audit.body.items[1].actor.name).toEqual(expect.any(String));
    expect(audit.body.items[2].target).toEqual({ type: 'feedback', id: threadId });
    expect(audit.body.items[3].target).toEqual({ type: 'feedback', id: threadId });

    const paged = await tenant.owner.get(`/api/v1/members/${member.id}/audit?limit=2`);
    expect(paged.body.items).toHaveLength(2);
    const rest = await tenant.owner.get(`/api/v1/members/${member.id}/audit?limit=2&cursor=${paged.body.nextCursor}`);
    expect(rest.body.items.map((e: { id: string }) => e.id)).toEqual(audit.body.items.slice(2).map((e: { id: string }) => e.id));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('the ledger pages with the adjustment’s reason', async () => {
    const tenant = await newTenant(app);
    const { member } = await memberWithHistory(tenant);
    const res = await tenant.owner.get(`/api/v1/members/${member.id}/points`);
    expect(res.body.entries.items[0]).toMatchObject({ kind: 'adjust', points: 250, note: 'Goodwill for the queue' });
  });
});

describe('who may read them', () => {
  it('another retailer’s member or an unknown id is 404 on every list; no credentials is 401', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const elsewhere = await newTenant(app);
    for (const list of LISTS) {
      expect((await elsewhere.owner.get(`/api/v1/members/${member.id}/${list}`)).status, list).toBe(404);
      expect((await tenant.owner.get(`/api/v1/members/${randomUUID()}/${list}`)).status, list).toBe(404);
      expect((await app.http.get(`/api/v1/members/${member.id}/${list}`)).status, list).toBe(401);
    }
  });

  it('cashiers read vouchers and segments only; marketers all but the audit trail; read keys no messages', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    const readKey = await newApiKey(tenant, ['read']);
    const status = async (agent: ReturnType<TestApp['agent']>, list: string) => (await agent.get(`/api/v1/members/${member.id}/${list}`)).status;
    const byKey = async (list: string) => (await app.http.get(`/api/v1/members/${member.id}/${list}`).set('Authorization', `Bearer ${readKey}`)).status;

    expect(await Promise.all(LISTS.map((list) => status(cashier.agent, list)))).toEqual([200, 200, 403, 403, 403]);
    expect(await Promise.all(LISTS.map((list) => status(marketer.agent, list)))).toEqual([200, 200, 200, 200, 403]);
    expect(await Promise.all(LISTS.map((list) => byKey(list)))).toEqual([200, 200, 403, 403, 403]);
  });

  it('bad paging input is a 400 naming the field', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const tooMany = await tenant.owner.get(`/api/v1/members/${member.id}/vouchers?limit=101`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.limit']);
    const badCursor = await tenant.owner.get(`/api/v1/members/${member.id}/audit?cursor=nope`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.cursor']);
    expect((await tenant.owner.get('/api/v1/members/not-an-id/messages')).status).toBe(400);
  });
});
