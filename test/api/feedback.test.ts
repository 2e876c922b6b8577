import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newReceipt, newStaff, newStore, newTenant, saleBody, type Tenant } from '../support/factories.ts';
import { signedInMember } from '../support/cards.ts';
import { postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

type Agent = ReturnType<TestApp['agent']>;

async function send(phoneApp: Agent, body: Record<string, unknown>) {
  const res = await phoneApp.post('/api/v1/me/feedback').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

const fieldsOf = (res: { body: { errors?: { path: string }[] } }) => (res.body.errors ?? []).map((e) => e.path);

/** Moves a thread's creation (and first reply) to known instants, for the figures. */
async function setTimes(tenant: Tenant, id: string, createdAt: string, replyAfterSeconds?: number) {
  const created = new Date(createdAt);
  await app.deps.db
    .updateTable('feedback_threads')
    .set({ created_at: created, first_reply_at: replyAfterSeconds === undefined ? null : new Date(created.getTime() + replyAfterSeconds * 1000) })
    .where('tenant_id', '=', tenant.id)
    .where('id', '=', id)
    .execute();
}

describe('members send feedback', () => {
  it('rates a visit with a store and an own purchase, complains, suggests, and lists their own threads', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant, { name: 'Cabang Kemang' });
    const { member, phoneApp } = await signedInMember(app, tenant);
    const receiptNo = newReceipt();
    const sale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id, receiptNo }));

    const options = await phoneApp.get('/api/v1/me/feedback/options');
    expect(options.body.stores).toEqual([{ id: store.id, name: 'Cabang Kemang' }]);
    expect(options.body.purchases).toMatchObject([{ id: sale.id, receiptNo, store: { id: store.id }, total: sale.total }]);

    const rated = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'rating', rating: 4, text: '  Kasirnya ramah  ', transactionId: sale.id });
    expect(rated.status, JSON.stringify(rated.body)).toBe(201);
    // The store comes from the sale; the comment is trimmed.
    expect(rated.body).toMatchObject({ kind: 'rating', rating: 4, text: 'Kasirnya ramah', status: 'open', store: { id: store.id, name: 'Cabang Kemang' }, replies: [] });
    expect(rated.body.receiptNo).toBe(receiptNo);

    // Rated once: no longer offered.
    expect((await phoneApp.get('/api/v1/me/feedback/options')).body.purchases).toEqual([]);
    await send(phoneApp, { kind: 'complaint', text: 'AC mati, panas sekali', storeId: store.id });
    await send(phoneApp, { kind: 'suggestion', text: 'Tolong sediakan oat milk' });
    await send(phoneApp, { kind: 'rating', rating: 5 });

    const mine = await phoneApp.get('/api/v1/me/feedback');
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((t: { kind: string }) => t.kind)).toEqual(['rating', 'suggestion', 'complaint', 'rating']);
    expect(mine.body.items[3]).toMatchObject({ rating: 4, store: { id: store.id } });

    // Another member of the same shop sees none of them.
    const other = await signedInMember(app, tenant);
    expect((await other.phoneApp.get('/api/v1/me/feedback')).body.items).toEqual([]);
    expect((await app.http.get('/api/v1/me/feedback')).status).toBe(401);
  });

  it('refuses bad input naming the field, another member’s sale, a sale rated twice, and changes nothing', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const otherStore = await newStore(tenant);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const someoneElse = await signedInMember(app, tenant);
    const mySale = await postSale(tenant, saleBody({ memberId: member.id, storeId: store.id }));
    const theirSale = await postSale(tenant, saleBody({ memberId: someoneElse.member.id }));
    const guestSale = await postSale(tenant, saleBody({}));
    const elsewhere = await newTenant(app);
    const foreignStore = await newStore(elsewhere);

    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'rating' }, 'body.rating'],
      [{ kind: 'rating', rating: 6 }, 'body.rating'],
      [{ kind: 'rating', rating: 0 }, 'body.rating'],
      [{ kind: 'rating', rating: 3.5 }, 'body.rating'],
      [{ kind: 'rating', rating: '5' }, 'body.rating'],
      [{ kind: 'praise', text: 'x' }, 'body.kind'],
      [{ text: 'x' }, 'body.kind'],
      [{ kind: 'complaint' }, 'body.text'],
      [{ kind: 'complaint', text: '   ' }, 'body.text'],
      [{ kind: 'complaint', text: 'x'.repeat(2001) }, 'body.text'],
      [{ kind: 'complaint', text: 'x', rating: 2 }, 'body.rating'],
      [{ kind: 'complaint', text: 'x', transactionId: mySale.id }, 'body.transactionId'],
      [{ kind: 'suggestion', text: 'x', storeId: 'not-a-uuid' }, 'body.storeId'],
      [{ kind: 'suggestion', text: 'x', storeId: foreignStore.id }, 'body.storeId'],
      [{ kind: 'rating', rating: 2, transactionId: theirSale.id }, 'body.transactionId'],
      [{ kind: 'rating', rating: 2, transactionId: guestSale.id }, 'body.transactionId'],
      [{ kind: 'rating', rating: 2, transactionId: mySale.id, storeId: otherStore.id }, 'body.storeId'],
    ];
    for (const [body, field] of cases) {
      const res = await phoneApp.post('/api/v1/me/feedback').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(fieldsOf(res), JSON.stringify(body)).toContain(field);
    }
    expect((await phoneApp.get('/api/v1/me/feedback')).body.items).toEqual([]);

    await send(phoneApp, { kind: 'rating', rating: 5, transactionId: mySale.id });
    const twice = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'rating', rating: 1, transactionId: mySale.id });
    expect(twice.status).toBe(409);
    expect((await app.http.post('/api/v1/me/feedback').send({ kind: 'rating', rating: 5 })).status).toBe(401);
    expect((await tenant.owner.post('/api/v1/me/feedback').send({ kind: 'rating', rating: 5 })).status).toBe(401);
  });

  it('limits a member to 10 an hour', async () => {
    const tenant = await newTenant(app);
    const { phoneApp } = await signedInMember(app, tenant);
    for (let i = 0; i < 10; i++) await send(phoneApp, { kind: 'rating', rating: 5 });
    const over = await phoneApp.post('/api/v1/me/feedback').send({ kind: 'rating', rating: 5 });
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Another member is not limited by it.
    const other = await signedInMember(app, tenant);
    await send(other.phoneApp, { kind: 'suggestion', text: 'Buka lebih pagi' });
  });
});

describe('the inbox', () => {
  it('filters, assigns, changes status and replies; the member sees the reply and it is in the outbox; audit-logged', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const marketer = await newStaff(app, tenant, 'marketer');
    const cashier = await newStaff(app, tenant, 'cashier', store.id);
    const { member, phone, phoneApp } = await signedInMember(app, tenant);
    const complaint = await send(phoneApp, { kind: 'complaint', text: 'Struk tidak keluar', storeId: store.id });
    const rating = await send(phoneApp, { kind: 'rating', rating: 2, text: 'Antri lama' });
    await send(phoneApp, { kind: 'suggestion', text: 'Tambah kursi' });

    const all = await marketer.agent.get('/api/v1/feedback');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(3);
    expect(all.body.items[2]).toMatchObject({ id: complaint.id, kind: 'complaint', member: { id: member.id, name: member.name }, store: { id: store.id }, assignee: null });
    const ids = async (query: Record<string, unknown>) => (await marketer.agent.get('/api/v1/feedback').query(query)).body.items.map((t: { id: string }) => t.id);
    expect(await ids({ kind: 'complaint' })).toEqual([complaint.id]);
    expect(await ids({ storeId: store.id })).toEqual([complaint.id]);
    expect(await ids({ rating: 2 })).toEqual([rating.id]);
    expect(await ids({ assignee: 'none' })).toHaveLength(3);
    // Server-side pages.
    const first = await marketer.agent.get('/api/v1/feedback').query({ limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const second = await marketer.agent.get('/api/v1/feedback').query({ limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items.map((t: { id: string }) => t.id)).toEqual([complaint.id]);
    expect(second.body.nextCursor).toBeNull();

    // Cashiers do not work the inbox.
    expect((await cashier.agent.get('/api/v1/feedback')).status).toBe(403);
    expect((await cashier.agent.post(`/api/v1/feedback/${complaint.id}/replies`).send({ text: 'x' })).status).toBe(403);

    const assignees = await marketer.agent.get('/api/v1/feedback/assignees');
    expect(assignees.body.items.map((s: { id: string }) => s.id).sort()).toEqual([tenant.ownerId, marketer.id].sort());

    const assigned = await marketer.agent.post(`/api/v1/feedback/${complaint.id}/assignment`).send({ assigneeId: marketer.id });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body.assignee).toMatchObject({ id: marketer.id });
    expect(await ids({ assignee: marketer.id })).toEqual([complaint.id]);

    const elsewhere = await newTenant(app);
    for (const assigneeId of [elsewhere.ownerId, cashier.id, '0190c0de-0000-7000-8000-000000000000']) {
      const refused = await marketer.agent.post(`/api/v1/feedback/${complaint.id}/assignment`).send({ assigneeId });
      expect(refused.status).toBe(400);
      expect(fieldsOf(refused)).toEqual(['body.assigneeId']);
    }

    const replied = await marketer.agent.post(`/api/v1/feedback/${complaint.id}/replies`).send({ text: 'Maaf, printer sudah kami ganti.' });
    expect(replied.status, JSON.stringify(replied.body)).toBe(201);
    expect(replied.body).toMatchObject({ status: 'in_progress', messages: [{ authorKind: 'staff', staff: { id: marketer.id }, text: 'Maaf, printer sudah kami ganti.' }] });
    expect(replied.body.firstReplyAt).toEqual(expect.any(String));

    const resolved = await marketer.agent.post(`/api/v1/feedback/${complaint.id}/status`).send({ status: 'resolved' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    expect(await ids({ status: 'resolved' })).toEqual([complaint.id]);
    expect(await ids({ status: 'open' })).toHaveLength(2);

    const mine = await phoneApp.get('/api/v1/me/feedback');
    const thread = mine.body.items.find((t: { id: string }) => t.id === complaint.id);
    expect(thread).toMatchObject({ status: 'resolved', replies: [{ text: 'Maaf, printer sudah kami ganti.' }] });

    const outbox = await app.deps.db.selectFrom('outbox_messages').selectAll()
      .where('tenant_id', '=', tenant.id).where('purpose', '=', 'feedback_reply').execute();
    expect(outbox).toHaveLength(1);
    expect(outbox[0].recipient).toBe(`+62${phone.slice(1)}`);
    expect(outbox[0].body).toContain('Maaf, printer sudah kami ganti.');

    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: complaint.id });
    expect(audit.body.items.map((a: { action: string }) => a.action).reverse())
      .toEqual(['feedback.assigned', 'feedback.status_changed', 'feedback.replied', 'feedback.status_changed']);
  });

  it('keeps tenants apart and refuses bad input naming the field', async () => {
    const tenant = await newTenant(app);
    const { phoneApp } = await signedInMember(app, tenant);
    const thread = await send(phoneApp, { kind: 'complaint', text: 'Rusak' });
    const other = await newTenant(app);
    expect((await other.owner.get(`/api/v1/feedback/${thread.id}`)).status).toBe(404);
    expect((await other.owner.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'hi' })).status).toBe(404);
    expect((await other.owner.post(`/api/v1/feedback/${thread.id}/status`).send({ status: 'resolved' })).status).toBe(404);
    expect((await other.owner.post(`/api/v1/feedback/${thread.id}/assignment`).send({ assigneeId: null })).status).toBe(404);
    expect((await other.owner.get('/api/v1/feedback')).body.items).toEqual([]);
    expect((await tenant.owner.get(`/api/v1/feedback/${thread.id}`)).body.messages).toEqual([]);

    const bad: [string, string, Record<string, unknown> | null, string][] = [
      ['get', '/api/v1/feedback?status=closed', null, 'query.status'],
      ['get', '/api/v1/feedback?rating=9', null, 'query.rating'],
      ['get', '/api/v1/feedback?assignee=bob', null, 'query.assignee'],
      ['get', '/api/v1/feedback?from=2026-13-01', null, 'query.from'],
      ['get', '/api/v1/feedback?from=2026-11-02&to=2026-11-01', null, 'query.from'],
      ['get', '/api/v1/feedback/satisfaction?to=yesterday', null, 'query.to'],
      ['get', '/api/v1/feedback/response-times?storeId=1', null, 'query.storeId'],
      ['get', '/api/v1/feedback/nope', null, 'params.id'],
      ['post', `/api/v1/feedback/${thread.id}/status`, { status: 'done' }, 'body.status'],
      ['post', `/api/v1/feedback/${thread.id}/assignment`, { assigneeId: 'x' }, 'body.assigneeId'],
      ['post', `/api/v1/feedback/${thread.id}/assignment`, {}, 'body.assigneeId'],
      ['post', `/api/v1/feedback/${thread.id}/replies`, { text: '' }, 'body.text'],
      ['post', `/api/v1/feedback/${thread.id}/replies`, { text: 'ok', status: 'closed' }, 'body.status'],
    ];
    for (const [method, url, body, field] of bad) {
      const res = method === 'get' ? await tenant.owner.get(url) : await tenant.owner.post(url).send(body!);
      expect(res.status, url).toBe(400);
      expect(fieldsOf(res), url).toContain(field);
    }
  });

  it('shows a store-bound marketer its own store’s threads only, and lets it work none of another’s', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const other = await newStore(tenant);
    const { phoneApp } = await signedInMember(app, tenant);
    const here = await send(phoneApp, { kind: 'complaint', text: 'Antre lama', storeId: store.id });
    const there = await send(phoneApp, { kind: 'complaint', text: 'Kotor', storeId: other.id });
    const nowhere = await send(phoneApp, { kind: 'suggestion', text: 'Buka Minggu' });
    const marketer = await newStaff(app, tenant, 'marketer', store.id);
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((t) => t.id);

    expect(ids(await marketer.agent.get('/api/v1/feedback'))).toEqual([here.id]);
    expect((await marketer.agent.get(`/api/v1/feedback?storeId=${other.id}`)).status).toBe(403);
    expect((await marketer.agent.get(`/api/v1/feedback/${here.id}`)).status).toBe(200);
    for (const thread of [there, nowhere]) {
      expect((await marketer.agent.get(`/api/v1/feedback/${thread.id}`)).status).toBe(403);
      expect((await marketer.agent.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'Maaf' })).status).toBe(403);
      expect((await marketer.agent.post(`/api/v1/feedback/${thread.id}/status`).send({ status: 'resolved' })).status).toBe(403);
      expect((await marketer.agent.post(`/api/v1/feedback/${thread.id}/assignment`).send({ assigneeId: null })).status).toBe(403);
      const untouched = await tenant.owner.get(`/api/v1/feedback/${thread.id}`);
      expect(untouched.body.status).toBe('open');
      expect(untouched.body.messages).toEqual([]);
    }
    expect(ids(await tenant.owner.get('/api/v1/feedback'))).toEqual([nowhere.id, there.id, here.id]);
  });
});

describe('figures (hand-computed on a fixture)', () => {
  it('response time: median and average of first reply − creation, and how many wait, by store and period', async () => {
    const tenant = await newTenant(app);
    const storeA = await newStore(tenant);
    const { phoneApp } = await signedInMember(app, tenant);
    const make = async (body: Record<string, unknown>, createdAt: string, replyAfter?: number) => {
      const { id } = await send(phoneApp, body);
      await setTimes(tenant, id, createdAt, replyAfter);
      return id;
    };
    await make({ kind: 'complaint', text: 'a', storeId: storeA.id }, '2026-11-02T00:00:00Z', 600);
    await make({ kind: 'suggestion', text: 'b' }, '2026-11-03T00:00:00Z', 3600);
    await make({ kind: 'rating', rating: 2, text: 'c' }, '2026-11-04T00:00:00Z', 1800);
    await make({ kind: 'complaint', text: 'd', storeId: storeA.id }, '2026-11-05T00:00:00Z', 7200);
    await make({ kind: 'complaint', text: 'e' }, '2026-11-06T00:00:00Z');
    const resolved = await make({ kind: 'complaint', text: 'f' }, '2026-11-07T00:00:00Z');
    expect((await tenant.owner.post(`/api/v1/feedback/${resolved}/status`).send({ status: 'resolved' })).status).toBe(200);
    await make({ kind: 'rating', rating: 5 }, '2026-11-08T00:00:00Z'); // no comment: expects no answer

    // Another retailer's thread counts nowhere.
    const other = await newTenant(app);
    const stranger = await signedInMember(app, other);
    await send(stranger.phoneApp, { kind: 'complaint', text: 'x' });

    const all = await tenant.owner.get('/api/v1/feedback/response-times');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    // 600, 1800, 3600, 7200 → median (1800 + 3600) / 2, average 13200 / 4; "e" waits, "f" was resolved.
    expect(all.body).toMatchObject({ timeZone: 'Asia/Jakarta', expecting: 6, answered: 4, medianSeconds: 2700, averageSeconds: 3300, waiting: 1 });

    const atA = await tenant.owner.get('/api/v1/feedback/response-times').query({ storeId: storeA.id });
    expect(atA.body).toMatchObject({ expecting: 2, answered: 2, medianSeconds: 3900, averageSeconds: 3900, waiting: 0 });

    // From 3 November (Jakarta): 3600, 1800, 7200 → median 3600, average 4200.
    const period = await tenant.owner.get('/api/v1/feedback/response-times').query({ from: '2026-11-03', to: '2026-11-30' });
    expect(period.body).toMatchObject({ from: '2026-11-03', to: '2026-11-30', expecting: 5, answered: 3, medianSeconds: 3600, averageSeconds: 4200, waiting: 1 });

    const none = await tenant.owner.get('/api/v1/feedback/response-times').query({ from: '2025-01-01', to: '2025-01-31' });
    expect(none.body).toMatchObject({ expecting: 0, answered: 0, medianSeconds: null, averageSeconds: null, waiting: 0 });
  });

  it('satisfaction by store and month in the retailer’s time zone, with totals by month, by store and overall', async () => {
    const tenant = await newTenant(app);
    const storeA = await newStore(tenant, { name: 'A Kemang' });
    const storeB = await newStore(tenant, { name: 'B Blok M' });
    const first = await signedInMember(app, tenant);
    const second = await signedInMember(app, tenant);
    const rate = async (phoneApp: Agent, rating: number, storeId: string | undefined, createdAt: string) => {
      const { id } = await send(phoneApp, { kind: 'rating', rating, ...(storeId ? { storeId } : {}) });
      await setTimes(tenant, id, createdAt);
    };
    await rate(first.phoneApp, 5, storeA.id, '2026-10-10T03:00:00Z');
    await rate(first.phoneApp, 3, storeA.id, '2026-10-20T03:00:00Z');
    await rate(first.phoneApp, 4, storeA.id, '2026-10-31T18:00:00Z'); // 1 November, 01:00 in Jakarta
    await rate(first.phoneApp, 1, storeB.id, '2026-10-15T03:00:00Z');
    await rate(second.phoneApp, 5, storeB.id, '2026-11-05T03:00:00Z');
    await rate(second.phoneApp, 4, storeB.id, '2026-11-06T03:00:00Z');
    await rate(second.phoneApp, 2, undefined, '2026-11-07T03:00:00Z');
    await rate(second.phoneApp, 5, storeA.id, '2026-12-01T03:00:00Z');
    const complaint = await send(second.phoneApp, { kind: 'complaint', text: 'not a rating', storeId: storeA.id });
    await setTimes(tenant, complaint.id, '2026-11-10T03:00:00Z');

    const res = await tenant.owner.get('/api/v1/feedback/satisfaction').query({ from: '2026-10-01', to: '2026-11-30' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const scores = (count: number, average: number, share4to5: number, distribution: number[]) => ({ count, average, share4to5, distribution });
    expect(res.body.total).toEqual(scores(7, 3.43, 0.5714, [1, 1, 1, 2, 2])); // 24 / 7, 4 / 7
    expect(res.body.byMonth).toEqual([
      { month: '2026-10', ...scores(3, 3, 0.3333, [1, 0, 1, 0, 1]) },
      { month: '2026-11', ...scores(4, 3.75, 0.75, [0, 1, 0, 2, 1]) },
    ]);
    expect(res.body.byStore).toEqual([
      { storeId: storeA.id, storeName: 'A Kemang', ...scores(3, 4, 0.6667, [0, 0, 1, 1, 1]) },
      { storeId: storeB.id, storeName: 'B Blok M', ...scores(3, 3.33, 0.6667, [1, 0, 0, 1, 1]) },
      { storeId: null, storeName: null, ...scores(1, 2, 0, [0, 1, 0, 0, 0]) },
    ]);
    expect(res.body.byStoreMonth).toEqual([
      { storeId: storeA.id, storeName: 'A Kemang', month: '2026-10', ...scores(2, 4, 0.5, [0, 0, 1, 0, 1]) },
      { storeId: storeB.id, storeName: 'B Blok M', month: '2026-10', ...scores(1, 1, 0, [1, 0, 0, 0, 0]) },
      { storeId: storeA.id, storeName: 'A Kemang', month: '2026-11', ...scores(1, 4, 1, [0, 0, 0, 1, 0]) },
      { storeId: storeB.id, storeName: 'B Blok M', month: '2026-11', ...scores(2, 4.5, 1, [0, 0, 0, 1, 1]) },
      { storeId: null, storeName: null, month: '2026-11', ...scores(1, 2, 0, [0, 1, 0, 0, 0]) },
    ]);

    const atA = await tenant.owner.get('/api/v1/feedback/satisfaction').query({ storeId: storeA.id });
    expect(atA.body.total).toEqual(scores(4, 4.25, 0.75, [0, 0, 1, 1, 2]));
    expect(atA.body.byMonth.map((m: { month: string; count: number }) => [m.month, m.count])).toEqual([['2026-10', 2], ['2026-11', 1], ['2026-12', 1]]);

    // From 1 November in Jakarta: the rating of 31 October 18:00 UTC is in.
    const november = await tenant.owner.get('/api/v1/feedback/satisfaction').query({ from: '2026-11-01', to: '2026-11-30' });
    expect(november.body.total).toEqual(scores(4, 3.75, 0.75, [0, 1, 0, 2, 1]));

    const empty = await tenant.owner.get('/api/v1/feedback/satisfaction').query({ from: '2020-01-01', to: '2020-01-31' });
    expect(empty.body).toMatchObject({ total: scores(0, 0, 0, [0, 0, 0, 0, 0]), byMonth: [], byStore: [], byStoreMonth: [] });

    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.get('/api/v1/feedback/satisfaction')).status).toBe(403);
  });
});
