import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/src/app.ts';
import { postSale as postSaleService } from '../../api/src/transactions/transactions.service.ts';
import { deliverDueWebhooks, MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../api/src/webhooks/webhook-delivery.ts';
import { claimDue, finishAttempt } from '../../api/src/webhooks/webhooks.repository.ts';
import { expirePoints } from '../../api/src/ledger/ledger-jobs.ts';
import { reviewTiers } from '../../api/src/tiers/tiers.service.ts';
import { newMember, newStaff, newTenant, rupiah, saleBody } from '../support/factories.ts';
import { postSale, refund, setPointsPolicy } from '../support/points.ts';
import { newVoucherBatch } from '../support/promotions.ts';
import { memberWithPoints, newReward, redeemReward } from '../support/rewards.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { deliveriesOf, docsVerifier, newWebhook } from '../support/webhooks.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const at = (ms: number) => new Date(Date.now() + ms);

describe('webhook subscriptions', () => {
  it('are created with a secret shown once, listed, changed, paused and deleted, each audit-logged', async () => {
    const tenant = await newTenant(app);
    const created = await newWebhook(tenant, 'http://127.0.0.1:9/hook', ['transaction.posted', 'member.created', 'member.created']);
    expect(created.secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(created.events).toEqual(['transaction.posted', 'member.created']);
    const read = (await tenant.owner.get(`/api/v1/webhooks/${created.id}`).expect(200)).body;
    expect(read).not.toHaveProperty('secret');
    expect((await tenant.owner.get('/api/v1/webhooks').expect(200)).body.items.map((w: { id: string }) => w.id)).toEqual([created.id]);

    const changed = (await tenant.owner.patch(`/api/v1/webhooks/${created.id}`).send({ events: ['voucher.redeemed', '*'], active: false, description: 'ERP' }).expect(200)).body;
    expect(changed).toMatchObject({ events: ['*'], active: false, description: 'ERP', url: 'http://127.0.0.1:9/hook' });
    const rotated = (await tenant.owner.post(`/api/v1/webhooks/${created.id}/rotate-secret`).expect(200)).body;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    // Sealed at rest, not stored as shown.
    const stored = await app.deps.db.selectFrom('webhooks').select('secret_enc').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(rotated.secret);

    await tenant.owner.delete(`/api/v1/webhooks/${created.id}`).expect(204);
    await tenant.owner.get(`/api/v1/webhooks/${created.id}`).expect(404);
    const audit = (await tenant.owner.get('/api/v1/audit').query({ targetId: created.id }).expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(audit.sort()).toEqual(['webhook.created', 'webhook.deleted', 'webhook.secret_rotated', 'webhook.updated']);
  });

  it('refuse bad input naming the field, and are for owners and admins only', async () => {
    const tenant = await newTenant(app);
    const bad = async (body: object, path: string) => {
      const res = await tenant.owner.post('/api/v1/webhooks').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad({ url: 'not a url', events: ['*'] }, 'body.url');
    await bad({ url: 'ftp://127.0.0.1/x', events: ['*'] }, 'body.url');
    await bad({ url: 'https://127.0.0.1/x', events: [] }, 'body.events');
    await bad({ url: 'https://127.0.0.1/x', events: ['member.deleted'] }, 'body.events.0');
    await bad({ url: 'https://127.0.0.1/x' }, 'body.events');
    const created = await newWebhook(tenant, 'https://127.0.0.1/x');
    expect((await tenant.owner.patch(`/api/v1/webhooks/${created.id}`).send({ active: 'no' }).expect(400)).body.errors[0].path).toBe('body.active');

    const marketer = await newStaff(app, tenant, 'marketer');
    await marketer.agent.get('/api/v1/webhooks').expect(403);
    await marketer.agent.post('/api/v1/webhooks').send({ url: 'https://127.0.0.1/x', events: ['*'] }).expect(403);
    const cashier = await newStaff(app, tenant, 'cashier');
    await cashier.agent.get(`/api/v1/webhooks/${created.id}/deliveries`).expect(403);
    await cashier.agent.post(`/api/v1/webhooks/${created.id}/test`).expect(403);
    const admin = await newStaff(app, tenant, 'admin');
    await admin.agent.get(`/api/v1/webhooks/${created.id}`).expect(200);
  });

  it('of another tenant are not found, nor their deliveries', async () => {
    const mine = await newTenant(app);
    const theirs = await newTenant(app);
    const webhook = await newWebhook(theirs, 'https://127.0.0.1/x');
    const delivery = (await theirs.owner.post(`/api/v1/webhooks/${webhook.id}/test`).expect(202)).body;
    await mine.owner.get(`/api/v1/webhooks/${webhook.id}`).expect(404);
    await mine.owner.patch(`/api/v1/webhooks/${webhook.id}`).send({ active: false }).expect(404);
    await mine.owner.post(`/api/v1/webhooks/${webhook.id}/rotate-secret`).expect(404);
    await mine.owner.post(`/api/v1/webhooks/${webhook.id}/test`).expect(404);
    await mine.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries`).expect(404);
    await mine.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries/${delivery.id}`).expect(404);
    await mine.owner.post(`/api/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/resend`).expect(404);
    await mine.owner.delete(`/api/v1/webhooks/${webhook.id}`).expect(404);
    expect((await mine.owner.get('/api/v1/webhooks').expect(200)).body.items).toEqual([]);
    await theirs.owner.get(`/api/v1/webhooks/${webhook.id}`).expect(200);
    // Their delivery id under a webhook of mine is not found either.
    const own = await newWebhook(mine, 'https://127.0.0.1/y');
    await mine.owner.get(`/api/v1/webhooks/${own.id}/deliveries/${delivery.id}`).expect(404);
    await mine.owner.post(`/api/v1/webhooks/${own.id}/deliveries/${delivery.id}/resend`).expect(404);
  });

  it('refuse loopback, private and link-local targets, and plain http, unless private targets are allowed', async () => {
    // The same database, served as with KARTU_ALLOW_PRIVATE_TARGETS off.
    const deps = { ...app.deps, config: { ...app.deps.config, allowPrivateTargets: false } };
    const server = createApp(deps).app.callback();
    const tenant = await newTenant({ ...app, deps, http: request(server), agent: () => request.agent(server) });
    for (const url of ['https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://169.254.169.254/latest', 'https://[::1]/hook', 'https://192.168.1.10/hook']) {
      const res = await tenant.owner.post('/api/v1/webhooks').send({ url, events: ['*'] });
      expect(res.status, url).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.url', message: expect.stringContaining('private') }]);
    }
    const http = await tenant.owner.post('/api/v1/webhooks').send({ url: 'http://93.184.215.14/hook', events: ['*'] });
    expect(http.body.errors).toEqual([{ path: 'body.url', message: 'Must be an https URL' }]);
  });
});

describe('webhook deliveries', () => {
  it('carry a correctly signed transaction.posted after a sale, which the docs’ receiver example accepts', async () => {
    const receiver = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      const webhook = await newWebhook(tenant, `${receiver.url}/kartu`, ['transaction.posted']);
      const member = await newMember(tenant); // member.created: not subscribed, nothing queued
      const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `s-${member.id}`).send(saleBody({ memberId: member.id })).expect(201)).body;
      await deliverDueWebhooks(app.deps);

      const got = receiver.requests.filter((r) => r.url === '/kartu');
      expect(got).toHaveLength(1);
      const [request] = got;
      expect(request!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Kartu-Webhooks' });
      const verify = await docsVerifier();
      const event = verify(webhook.secret, request!.headers, request!.body);
      expect(event).toMatchObject({ type: 'transaction.posted', tenantId: tenant.id, data: { transaction: { id: sale.id, receiptNo: sale.receiptNo, memberId: member.id, total: sale.total, pointsEarned: sale.pointsEarned } } });
      expect(() => verify('whsec_wrong', request!.headers, request!.body)).toThrow('bad signature');
      expect(() => verify(webhook.secret, request!.headers, request!.body.replace(sale.receiptNo, 'R-forged'))).toThrow('bad signature');
      expect(() => verify(webhook.secret, request!.headers, request!.body, Date.now() + 6 * 60_000)).toThrow('timestamp');

      const [logged] = await deliveriesOf(tenant, webhook.id);
      expect(logged).toMatchObject({ id: request!.headers['kartu-webhook-id'], event: 'transaction.posted', status: 'succeeded', attempts: 1, lastResponseStatus: 200, nextAttemptAt: null });
      const detail = (await tenant.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries/${logged!.id}`).expect(200)).body;
      expect(detail.payload).toEqual(JSON.parse(request!.body));
      expect(detail.attemptLog).toEqual([expect.objectContaining({ attempt: 1, responseStatus: 200, error: null })]);
    } finally {
      await receiver.close();
    }
  });

  it('are written for every subscribed event site: sign-up, tier change, sale, refund, voucher and reward redemption, expiry', async () => {
    const tenant = await newTenant(app);
    const webhook = await newWebhook(tenant, 'https://127.0.0.1/all', ['*']);
    await setPointsPolicy(tenant, { expiryPolicy: 'months', expiryMonths: 1 });
    const member = await newMember(tenant);
    await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 10, minQualifying: 100, earnMultiplier: 1 }).expect(201);
    const sale = (await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', `t-${member.id}`).send(saleBody({ memberId: member.id })).expect(201)).body;
    await refund(tenant, sale.id).expect(201);
    const { code } = await newVoucherBatch(tenant);
    await tenant.owner.post(`/api/v1/vouchers/${encodeURIComponent(code!)}/redemptions`).set('Idempotency-Key', `v-${member.id}`).send({ memberId: member.id, amount: 100 }).expect(201);
    const rich = await memberWithPoints(tenant, 500);
    expect((await redeemReward(tenant.owner, (await newReward(tenant)).id, { memberId: rich.id })).status).toBe(201);
    await postSale(tenant, saleBody({ memberId: member.id, receiptNo: `E-${member.id}` }));
    await expirePoints(app.deps.db, at(70 * 86_400_000));

    const bodies = (await app.deps.db.selectFrom('webhook_deliveries').select('body').where('tenant_id', '=', tenant.id).where('webhook_id', '=', webhook.id).execute())
      .map((row) => JSON.parse(row.body) as { type: string; tenantId: string; data: any });
    const count = (type: string) => bodies.filter((b) => b.type === type).length;
    expect(Object.fromEntries(['member.created', 'member.tier_changed', 'transaction.posted', 'transaction.refunded', 'voucher.redeemed', 'reward.redeemed', 'points.expired'].map((t) => [t, count(t)])))
      .toEqual({ 'member.created': 2, 'member.tier_changed': 1, 'transaction.posted': 2, 'transaction.refunded': 1, 'voucher.redeemed': 1, 'reward.redeemed': 1, 'points.expired': 2 });
    const of = (type: string) => bodies.find((b) => b.type === type && (b.data.memberId ?? b.data.member?.id ?? b.data.redemption?.memberId) === member.id)!;
    expect(of('member.tier_changed').data).toMatchObject({ memberId: member.id, to: { code: 'gold', name: 'Gold' }, reason: 'qualified' });
    expect(of('transaction.refunded').data).toMatchObject({ transactionId: sale.id, receiptNo: sale.receiptNo, refund: { amount: expect.any(Number) } });
    expect(of('voucher.redeemed').data.redemption).toMatchObject({ code, memberId: member.id, amount: 100 });
    expect(of('points.expired').data).toMatchObject({ memberId: member.id, points: expect.any(Number), balance: 0 });
    expect(bodies.every((b) => b.tenantId === tenant.id)).toBe(true);
  });

  it('are written for a step down at the tier review, in its transaction', async () => {
    const tenant = await newTenant(app);
    const webhook = await newWebhook(tenant, 'https://127.0.0.1/tiers', ['member.tier_changed']);
    const gold = (await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 10, minQualifying: rupiah(1_000_000), earnMultiplier: 1 }).expect(201)).body;
    const member = await newMember(tenant);
    await app.deps.db.updateTable('members').set({ tier_id: gold.id, tier_review_at: new Date(Date.now() - 60_000) }).where('tenant_id', '=', tenant.id).where('id', '=', member.id).execute();
    await reviewTiers(app.deps.db);
    const [delivery] = await deliveriesOf(tenant, webhook.id);
    const { body } = await app.deps.db.selectFrom('webhook_deliveries').select('body').where('tenant_id', '=', tenant.id).where('id', '=', delivery!.id).executeTakeFirstOrThrow();
    expect(JSON.parse(body).data).toEqual({ memberId: member.id, from: { code: 'gold', name: 'Gold' }, to: expect.objectContaining({ code: expect.any(String) }), reason: 'review' });
    expect(JSON.parse(body).data.to.code).not.toBe('gold');
  });

  it('are retried with backoff after a failure, then succeed, with the same delivery id', async () => {
    const receiver = await startHttpReceiver([500]);
    try {
      const tenant = await newTenant(app);
      const webhook = await newWebhook(tenant, `${receiver.url}/retry`, ['member.created']);
      await newMember(tenant);
      await deliverDueWebhooks(app.deps);
      const [failed] = await deliveriesOf(tenant, webhook.id);
      expect(failed).toMatchObject({ status: 'retrying', attempts: 1, lastResponseStatus: 500, lastError: 'The receiver answered HTTP 500' });
      const wait = new Date(failed!.nextAttemptAt!).getTime() - Date.now();
      expect(wait).toBeGreaterThan(RETRY_DELAYS_MS[0]! - 5_000);
      expect(wait).toBeLessThanOrEqual(RETRY_DELAYS_MS[0]!);

      await deliverDueWebhooks(app.deps); // not due yet
      expect(receiver.requests).toHaveLength(1);
      await deliverDueWebhooks(app.deps, at(RETRY_DELAYS_MS[0]! + 1_000));
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[1]!.headers['kartu-webhook-id']).toBe(receiver.requests[0]!.headers['kartu-webhook-id']);
      expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
      const [done] = await deliveriesOf(tenant, webhook.id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2, lastResponseStatus: 200, lastError: null });
      const detail = (await tenant.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries/${done!.id}`).expect(200)).body;
      expect(detail.attemptLog.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 200]);
    } finally {
      await receiver.close();
    }
  });

  it('fail for good after the last retry, and a resend sends the same delivery again', async () => {
    const receiver = await startHttpReceiver(Array(MAX_ATTEMPTS).fill(503));
    try {
      const tenant = await newTenant(app);
      const webhook = await newWebhook(tenant, `${receiver.url}/down`, ['member.created']);
      await newMember(tenant);
      let elapsed = 0;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await deliverDueWebhooks(app.deps, at(elapsed));
        elapsed += (RETRY_DELAYS_MS[attempt - 1] ?? 0) + 1_000;
      }
      const [failed] = await deliveriesOf(tenant, webhook.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lastResponseStatus: 503, nextAttemptAt: null });
      await deliverDueWebhooks(app.deps, at(40 * 86_400_000));
      expect(receiver.requests).toHaveLength(MAX_ATTEMPTS);

      const resent = (await tenant.owner.post(`/api/v1/webhooks/${webhook.id}/deliveries/${failed!.id}/resend`).expect(202)).body;
      expect(resent).toMatchObject({ id: failed!.id, status: 'pending' });
      await deliverDueWebhooks(app.deps);
      expect(receiver.requests).toHaveLength(MAX_ATTEMPTS + 1);
      expect(receiver.requests.at(-1)!.headers['kartu-webhook-id']).toBe(failed!.id);
      expect((await deliveriesOf(tenant, webhook.id))[0]).toMatchObject({ status: 'succeeded', attempts: MAX_ATTEMPTS + 1 });
      const audit = (await tenant.owner.get('/api/v1/audit').query({ targetId: webhook.id }).expect(200)).body.items.map((e: { action: string }) => e.action);
      expect(audit).toContain('webhook.delivery_resent');
    } finally {
      await receiver.close();
    }
  });

  it('send a ping on test, also to a paused subscription, whose other deliveries wait until it is active', async () => {
    const receiver = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      const webhook = await newWebhook(tenant, `${receiver.url}/paused`, ['member.created']);
      await newMember(tenant);
      await tenant.owner.patch(`/api/v1/webhooks/${webhook.id}`).send({ active: false }).expect(200);
      await newMember(tenant); // paused: not subscribed to new events
      const ping = (await tenant.owner.post(`/api/v1/webhooks/${webhook.id}/test`).expect(202)).body;
      expect(ping).toMatchObject({ event: 'ping', status: 'pending' });
      await deliverDueWebhooks(app.deps);
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['ping']);
      await tenant.owner.patch(`/api/v1/webhooks/${webhook.id}`).send({ active: true }).expect(200);
      await deliverDueWebhooks(app.deps);
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['ping', 'member.created']);
    } finally {
      await receiver.close();
    }
  });

  it('are listed newest first a page at a time', async () => {
    const tenant = await newTenant(app);
    const webhook = await newWebhook(tenant, 'https://127.0.0.1/paged', ['member.created']);
    const pings: string[] = [];
    for (let i = 0; i < 3; i++) pings.push((await tenant.owner.post(`/api/v1/webhooks/${webhook.id}/test`).expect(202)).body.id);
    const first = (await tenant.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries`).query({ limit: 2 }).expect(200)).body;
    expect(first.items.map((d: { id: string }) => d.id)).toEqual([pings[2], pings[1]]);
    const second = (await tenant.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries`).query({ limit: 2, cursor: first.nextCursor }).expect(200)).body;
    expect(second).toEqual({ items: [expect.objectContaining({ id: pings[0], event: 'ping', status: 'pending' })], nextCursor: null });
    expect((await tenant.owner.get(`/api/v1/webhooks/${webhook.id}/deliveries`).query({ cursor: 'x' }).expect(400)).body.errors[0].path).toBe('query.cursor');
  });

  it('claimed by a worker that died are sent once its lease has run out, and its late outcome is not recorded', async () => {
    const receiver = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      const webhook = await newWebhook(tenant, `${receiver.url}/crashed`, ['member.created']);
      await newMember(tenant);
      const [queued] = await deliveriesOf(tenant, webhook.id);
      const lease = at(60_000);
      const claimed = await claimDue(app.deps.db, new Date(), lease, 1_000);
      expect(claimed.map((c) => c.id)).toContain(queued!.id);

      await deliverDueWebhooks(app.deps); // still leased by the dead worker
      expect(receiver.requests).toHaveLength(0);
      await deliverDueWebhooks(app.deps, at(61_000));
      expect(receiver.requests.map((r) => r.headers['kartu-webhook-id'])).toEqual([queued!.id]);

      const late = { status: 'failed' as const, lastStatus: 500, lastError: 'late', nextAttemptAt: null, deliveredAt: null };
      const recorded = await finishAttempt(app.deps.db, { tenant_id: tenant.id, id: queued!.id, lease }, late, { started_at: new Date(), duration_ms: 1, response_status: 500, error: 'late' });
      expect(recorded).toBe(false);
      expect((await deliveriesOf(tenant, webhook.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1, lastResponseStatus: 200 });
    } finally {
      await receiver.close();
    }
  });

  it('whose secret no longer opens fail as an attempt in the log, without holding up the others', async () => {
    const receiver = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      const broken = await newWebhook(tenant, `${receiver.url}/broken`, ['member.created']);
      const fine = await newWebhook(tenant, `${receiver.url}/fine`, ['member.created']);
      // Sealed for another subscription: as after a change of KARTU_SECRET_KEY, it cannot be opened.
      const other = await app.deps.db.selectFrom('webhooks').select('secret_enc').where('tenant_id', '=', tenant.id).where('id', '=', fine.id).executeTakeFirstOrThrow();
      await app.deps.db.updateTable('webhooks').set({ secret_enc: other.secret_enc }).where('tenant_id', '=', tenant.id).where('id', '=', broken.id).execute();
      await newMember(tenant);

      await deliverDueWebhooks(app.deps);
      expect(receiver.requests.map((r) => r.url)).toEqual(['/fine']);
      expect((await deliveriesOf(tenant, broken.id))[0]).toMatchObject({ status: 'retrying', attempts: 1, lastResponseStatus: null, lastError: expect.stringContaining('secret') });
    } finally {
      await receiver.close();
    }
  });

  it('refuse at send time a target that became private-only', async () => {
    const tenant = await newTenant(app);
    const webhook = await newWebhook(tenant, 'http://127.0.0.1:9/hook', ['member.created']);
    await newMember(tenant);
    await deliverDueWebhooks({ ...app.deps, config: { ...app.deps.config, allowPrivateTargets: false } });
    const [refused] = await deliveriesOf(tenant, webhook.id);
    expect(refused).toMatchObject({ status: 'retrying', lastResponseStatus: null, lastError: expect.stringContaining('private') });
  });

  it('roll back with the transaction of their event: no webhook for a sale that did not commit', async () => {
    const tenant = await newTenant(app);
    const webhook = await newWebhook(tenant, 'https://127.0.0.1/none', ['transaction.posted']);
    const owner = { kind: 'staff' as const, tenantId: tenant.id, id: tenant.ownerId, role: 'owner' as const, storeId: null, sessionId: 'test' };
    await expect(app.deps.db.transaction().execute(async (trx) => {
      await postSaleService(trx, owner, app.deps.config, { ...saleBody(), channel: 'store' } as never);
      expect(await trx.selectFrom('webhook_deliveries').select('id').where('tenant_id', '=', tenant.id).execute()).toHaveLength(1);
      throw new Error('the till lost power');
    })).rejects.toThrow('the till lost power');
    expect(await deliveriesOf(tenant, webhook.id)).toEqual([]);
  });
});
