import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, dispatchDueMessages, MAX_ATTEMPTS } from '../../api/src/messages/dispatch.ts';
import { queueMemberMessage } from '../../api/src/messages/messages.service.ts';
import { newMember, newStaff, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { postSale } from '../support/points.ts';
import { joinWithCode } from '../support/acquire.ts';
import { startHttpReceiver, startSmtpServer } from '../support/messages.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const GATEWAY_TOKEN = 'Bearer gw-token-7c1f0e';

async function gatewayFor(tenant: Tenant, channel: 'sms' | 'whatsapp', url: string) {
  const res = await tenant.owner.put(`/api/v1/settings/messages/transports/${channel}`).send({
    kind: 'http',
    url: `${url}/send?channel={{channel}}`,
    method: 'POST',
    headers: [{ name: 'Authorization', value: GATEWAY_TOKEN }],
    bodyTemplate: '{"to":"{{to}}","message":"{{text}}","ref":"{{id}}"}',
    contentType: 'application/json',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function outboxItem(tenant: Tenant, id: string) {
  const items = (await tenant.owner.get('/api/v1/outbox')).body.items as any[];
  return items.find((m) => m.id === id);
}

async function requestOtp(tenant: Tenant, phone: string) {
  await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone }).expect(202);
  const [message] = (await tenant.owner.get('/api/v1/outbox')).body.items;
  return message;
}

describe('SMTP email transport', () => {
  it('sends a member message to a local SMTP server with the configured sender, and never shows the password', async () => {
    const smtp = await startSmtpServer();
    try {
      const tenant = await newTenant(app);
      const saved = await tenant.owner.put('/api/v1/settings/messages/transports/email').send({
        kind: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', user: 'kartu', password: 'rahasia-smtp', from: 'Toko Kita <halo@toko.example>',
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(saved.body.transports.email.smtp).toMatchObject({ host: '127.0.0.1', port: smtp.port, user: 'kartu', passwordSet: true });
      const settings = await tenant.owner.get('/api/v1/settings/messages').expect(200);
      expect(JSON.stringify(settings.body)).not.toContain('rahasia-smtp');
      const stored = await app.deps.db.selectFrom('message_transports').select('secret_enc').where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(stored.secret_enc).not.toContain('rahasia');

      await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['email', 'whatsapp', 'sms'] }).expect(200);
      const member = await newMember(tenant, { name: 'Siti Rahayu', email: 'siti@example.com', marketingOptIn: true });
      const queued = await queueMemberMessage(app.deps.db, {
        tenantId: tenant.id, memberId: member.id, purpose: 'automation:test', marketing: true,
        text: { id: 'Halo {{name}}, poin Anda {{points}} ({{tier}}).', en: 'Hi {{name}}, you have {{points}} points.' },
      });
      expect(queued).toMatchObject({ queued: true });
      const messageId = (queued as { messageId: string }).messageId;
      expect(await outboxItem(tenant, messageId)).toMatchObject({ status: 'pending', channel: 'email', recipient: 'siti@example.com' });

      await dispatchDueMessages(app.deps);
      expect(smtp.mails).toHaveLength(1);
      const [mail] = smtp.mails;
      expect(mail).toMatchObject({ from: 'halo@toko.example', to: ['siti@example.com'], user: 'kartu' });
      expect(mail!.headerFrom).toBe('Toko Kita <halo@toko.example>');
      expect(mail!.headerTo).toBe('siti@example.com');
      expect(mail!.subject).toMatch(/^Toko /);
      expect(mail!.body).toMatch(/^Halo Siti Rahayu, poin Anda 0 \(.+\)\.$/);
      expect(await outboxItem(tenant, messageId)).toMatchObject({ status: 'sent', attempts: 1, lastError: null });

      const test = await tenant.owner.post('/api/v1/settings/messages/transports/email/test').send({ to: 'owner@example.com' });
      expect(test.body).toEqual({ sent: true, error: null });
      expect(smtp.mails[1]!.to).toEqual(['owner@example.com']);

      // A wrong password is reported by the test-send, not thrown.
      await tenant.owner.put('/api/v1/settings/messages/transports/email').send({
        kind: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'none', user: 'kartu', password: 'salah', from: 'halo@toko.example',
      }).expect(200);
      const failed = await tenant.owner.post('/api/v1/settings/messages/transports/email/test').send({ to: 'owner@example.com' });
      expect(failed.body.sent).toBe(false);
      expect(failed.body.error).toMatch(/Invalid username or password|auth/i);
    } finally {
      await smtp.close();
    }
  });
});

describe('HTTP gateway transport', () => {
  it('sends a one-time code through the gateway with the configured method, headers and body; the outbox still masks the code', async () => {
    const gateway = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      const saved = await gatewayFor(tenant, 'sms', gateway.url);
      expect(saved.transports.sms.http.headers).toEqual([{ name: 'Authorization' }]);
      expect(JSON.stringify((await tenant.owner.get('/api/v1/settings/messages')).body)).not.toContain('gw-token');

      const member = await newMember(tenant);
      const otp = await requestOtp(tenant, member.phone);
      expect(otp).toMatchObject({ status: 'pending', channel: 'sms', purpose: 'otp' });
      await dispatchDueMessages(app.deps);

      expect(gateway.requests).toHaveLength(1);
      const [request] = gateway.requests;
      expect(request!.method).toBe('POST');
      expect(request!.url).toBe('/send?channel=sms');
      expect(request!.headers.authorization).toBe(GATEWAY_TOKEN);
      expect(request!.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request!.body);
      expect(body.to).toBe(member.phone);
      expect(body.ref).toBe(otp.id);
      const code = /\b(\d{6})\b/.exec(body.message)![1]!;

      const sent = await outboxItem(tenant, otp.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 1 });
      expect(sent.body).not.toContain(code);
      expect(sent.body).toContain('••••••');
    } finally {
      await gateway.close();
    }
  });

  it('refuses unknown placeholders and bad templates, naming the field', async () => {
    const tenant = await newTenant(app);
    const base = { kind: 'http', url: 'http://127.0.0.1:9/send', headers: [], contentType: 'application/json' };
    const unknown = await tenant.owner.put('/api/v1/settings/messages/transports/whatsapp').send({ ...base, bodyTemplate: '{"to":"{{to}}","m":"{{txt}}"}' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'body.bodyTemplate', message: expect.stringContaining('{{txt}}') });
    const notJson = await tenant.owner.put('/api/v1/settings/messages/transports/whatsapp').send({ ...base, bodyTemplate: '{"m": {{text}}}' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors[0].path).toBe('body.bodyTemplate');
    const wrongKind = await tenant.owner.put('/api/v1/settings/messages/transports/email').send({ ...base, bodyTemplate: '{}' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.errors[0].path).toBe('body.kind');
    const newHeader = await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({ ...base, bodyTemplate: '{}', headers: [{ name: 'X-Key' }] });
    expect(newHeader.status).toBe(400);
    expect(newHeader.body.errors[0].path).toBe('body.headers.0.value');
  });
});

describe('retries and giving up', () => {
  it('retries with exponential backoff: a gateway that fails twice then succeeds gets the message on the third attempt', async () => {
    const gateway = await startHttpReceiver([500, 502]);
    try {
      const tenant = await newTenant(app);
      await gatewayFor(tenant, 'sms', gateway.url);
      const member = await newMember(tenant);
      const otp = await requestOtp(tenant, member.phone);
      const start = Date.now() + 1000;

      await dispatchDueMessages(app.deps, new Date(start));
      let item = await outboxItem(tenant, otp.id);
      expect(item).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('HTTP 500') });
      expect(Date.parse(item.nextAttemptAt)).toBe(start + backoffMs(1));
      // The gateway echoed the code back: it is masked in the stored error too.
      const code = /\b(\d{6})\b/.exec(JSON.parse(gateway.requests[0]!.body).message)![1]!;
      const stored = await app.deps.db.selectFrom('outbox_messages').select('last_error').where('tenant_id', '=', tenant.id).where('id', '=', otp.id).executeTakeFirstOrThrow();
      expect(stored.last_error).toContain('gateway down');
      expect(stored.last_error).not.toContain(code);
      expect(stored.last_error).toContain('••••••');

      await dispatchDueMessages(app.deps, new Date(start + backoffMs(1) - 1000)); // not due yet
      expect(gateway.requests).toHaveLength(1);

      await dispatchDueMessages(app.deps, new Date(start + backoffMs(1)));
      item = await outboxItem(tenant, otp.id);
      expect(item).toMatchObject({ status: 'pending', attempts: 2, lastError: expect.stringContaining('HTTP 502') });
      expect(Date.parse(item.nextAttemptAt)).toBe(start + backoffMs(1) + backoffMs(2));
      expect(backoffMs(2)).toBe(2 * backoffMs(1));

      await dispatchDueMessages(app.deps, new Date(start + backoffMs(1) + backoffMs(2)));
      item = await outboxItem(tenant, otp.id);
      expect(item).toMatchObject({ status: 'sent', attempts: 3, lastError: null, nextAttemptAt: null });
      expect(gateway.requests).toHaveLength(3);
    } finally {
      await gateway.close();
    }
  });

  it('gives up after the maximum attempts with the reason, visible in the outbox; retry sends it again', async () => {
    const gateway = await startHttpReceiver(Array(MAX_ATTEMPTS).fill(503));
    try {
      const tenant = await newTenant(app);
      await gatewayFor(tenant, 'sms', gateway.url);
      const member = await newMember(tenant);
      const otp = await requestOtp(tenant, member.phone);
      let at = Date.now() + 1000;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await dispatchDueMessages(app.deps, new Date(at));
        at += backoffMs(attempt);
      }
      await dispatchDueMessages(app.deps, new Date(at + 3600e3)); // nothing more is tried
      expect(gateway.requests).toHaveLength(MAX_ATTEMPTS);

      const failed = (await tenant.owner.get('/api/v1/outbox?status=failed').expect(200)).body.items;
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ id: otp.id, status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null });
      expect(failed[0].lastError).toContain('HTTP 503');
      expect(failed[0].lastError).toContain('gateway down');

      const cashier = await newStaff(app, tenant, 'cashier');
      await cashier.agent.post(`/api/v1/outbox/${otp.id}/retry`).expect(403);
      const marketer = await newStaff(app, tenant, 'marketer');
      const retried = await marketer.agent.post(`/api/v1/outbox/${otp.id}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
      await marketer.agent.post(`/api/v1/outbox/${otp.id}/retry`).expect(409);

      await dispatchDueMessages(app.deps);
      expect(await outboxItem(tenant, otp.id)).toMatchObject({ status: 'sent', attempts: 1 });
      const audit = await app.deps.db.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.id).where('action', '=', 'outbox.retried').execute();
      expect(audit).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('unconfigured channels and member messages', () => {
  it('leaves a message unconfigured when its channel has no transport, and the dispatcher never pretends to send it', async () => {
    const tenant = await newTenant(app);
    const member = await newMember(tenant);
    const otp = await requestOtp(tenant, member.phone);
    expect(otp).toMatchObject({ status: 'unconfigured', attempts: 0 });
    await dispatchDueMessages(app.deps);
    expect(await outboxItem(tenant, otp.id)).toMatchObject({ status: 'unconfigured', attempts: 0, sentAt: null });
    const retry = await tenant.owner.post(`/api/v1/outbox/${otp.id}/retry`);
    expect(retry.status).toBe(409);
  });

  it('respects consent, member status and reachable channels', async () => {
    const tenant = await newTenant(app);
    const text = { id: 'Halo {{name}}', en: 'Hi {{name}}' };
    const noConsent = await newMember(tenant, { marketingOptIn: false });
    expect(await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: noConsent.id, purpose: 'automation:x', marketing: true, text }))
      .toEqual({ queued: false, reason: 'no_consent' });
    // Transactional messages need no consent; with no transport they are queued unconfigured on the first channel.
    const transactional = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: noConsent.id, purpose: 'automation:x', marketing: false, text });
    expect(transactional).toMatchObject({ queued: true });
    expect(await outboxItem(tenant, (transactional as any).messageId)).toMatchObject({ status: 'unconfigured', channel: 'whatsapp', memberId: noConsent.id });
    expect(await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: '0190aaaa-0000-7000-8000-000000000000', purpose: 'x', marketing: false, text }))
      .toEqual({ queued: false, reason: 'inactive_member' });
    await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['email'] }).expect(200);
    expect(await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: noConsent.id, purpose: 'x', marketing: false, text }))
      .toEqual({ queued: false, reason: 'no_channel' });
    const dup = await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms', 'sms'] });
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0].path).toMatch(/^body\.channels/);
  });

  it('picks the first channel in the tenant order that has a transport', async () => {
    const gateway = await startHttpReceiver();
    try {
      const tenant = await newTenant(app, { locale: 'en' });
      await gatewayFor(tenant, 'sms', gateway.url);
      const member = await newMember(tenant, { name: 'Budi' });
      const queued = await queueMemberMessage(app.deps.db, {
        tenantId: tenant.id, memberId: member.id, purpose: 'automation:y', marketing: false,
        text: { id: 'Halo {{name}}, kode {{voucherCode}}', en: 'Hi {{name}}, code {{voucherCode}}' }, vars: { voucherCode: 'BDAY-123' },
      });
      expect(await outboxItem(tenant, (queued as any).messageId)).toMatchObject({ status: 'pending', channel: 'sms', body: 'Hi Budi, code BDAY-123' });
    } finally {
      await gateway.close();
    }
  });
});

describe('the member’s language', () => {
  it('writes messages in the language the member chose in the app, else the retailer’s', async () => {
    const tenant = await newTenant(app); // locale id
    const { client, res } = await joinWithCode(app, tenant, { name: 'Dewi' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const memberId = res.body.member?.id ?? res.body.id;
    const text = { id: 'Halo {{name}}', en: 'Hello {{name}}' };
    const before = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId, purpose: 'lang', marketing: false, text });
    expect((await outboxItem(tenant, (before as any).messageId)).body).toBe('Halo Dewi');
    await client.put('/api/v1/me/language').send({ language: 'en' }).expect(204);
    await client.put('/api/v1/me/language').send({ language: 'fr' }).expect(400);
    await app.http.put('/api/v1/me/language').send({ language: 'en' }).expect(401);
    const after = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId, purpose: 'lang', marketing: false, text });
    expect((await outboxItem(tenant, (after as any).messageId)).body).toBe('Hello Dewi');
  });
});

describe('offers in messages', () => {
  it('puts the member’s best offer in {{offer}}, counted as a showing on the message channel with its voucher', async () => {
    const gateway = await startHttpReceiver();
    try {
      const tenant = await newTenant(app);
      await gatewayFor(tenant, 'whatsapp', gateway.url);
      const day = 86400e3;
      const offer = await tenant.owner.post('/api/v1/offers').send({
        name: 'Kopi → V60', kind: 'cross_sell', trigger: { skus: ['KOPI-250'] }, suggestion: { sku: 'V60', name: 'Dripper V60' },
        message: { id: 'Coba seduh dengan V60.', en: 'Brew it with a V60.' }, voucher: { kind: 'amount', value: rupiah(20_000), validDays: 14 },
        startsAt: new Date(Date.now() - day).toISOString(), endsAt: new Date(Date.now() + 30 * day).toISOString(),
      });
      expect(offer.status, JSON.stringify(offer.body)).toBe(201);
      const buyer = await newMember(tenant, { name: 'Ani' });
      await postSale(tenant, saleBody({ memberId: buyer.id, items: [{ sku: 'KOPI-250', category: 'kopi', quantity: 1, unitPrice: rupiah(85_000) }] }));
      const text = { id: 'Hai {{name}}! {{offer}}', en: 'Hi {{name}}! {{offer}}' };
      const queued = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: buyer.id, purpose: 'automation:offer', marketing: false, text });
      const item = await outboxItem(tenant, (queued as any).messageId);
      expect(item.body).toMatch(/^Hai Ani! Coba seduh dengan V60\. Kode voucher: \S+$/);
      const shows = await tenant.owner.get(`/api/v1/offers/${offer.body.id}`);
      expect(shows.body.results.shown).toBe(1);
      const impressions = await app.deps.db.selectFrom('offer_impressions').select(['channel', 'voucher_id']).where('tenant_id', '=', tenant.id).execute();
      expect(impressions).toEqual([{ channel: 'message', voucher_id: expect.any(String) }]);

      // Without an offer the placeholder renders as nothing.
      const other = await newMember(tenant, { name: 'Budi' });
      const plain = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: other.id, purpose: 'automation:offer', marketing: false, text });
      expect((await outboxItem(tenant, (plain as any).messageId)).body).toBe('Hai Budi!');
    } finally {
      await gateway.close();
    }
  });
});

describe('outgoing targets', () => {
  it('refuses loopback and private targets when KARTU_ALLOW_PRIVATE_TARGETS is off, on save and again at send time', async () => {
    const strict = await createTestApp({ KARTU_ALLOW_PRIVATE_TARGETS: 'off' });
    const gateway = await startHttpReceiver();
    try {
      const tenant = await newTenant(strict);
      const http = await tenant.owner.put('/api/v1/settings/messages/transports/whatsapp').send({
        kind: 'http', url: `${gateway.url}/send`, headers: [], bodyTemplate: '{"to":"{{to}}"}',
      });
      expect(http.status).toBe(400);
      expect(http.body.errors[0]).toMatchObject({ path: 'body.url', message: expect.stringContaining('127.0.0.1') });
      const smtp = await tenant.owner.put('/api/v1/settings/messages/transports/email').send({
        kind: 'smtp', host: 'localhost', port: 25, security: 'none', from: 'a@b.example',
      });
      expect(smtp.status).toBe(400);
      expect(smtp.body.errors[0].path).toBe('body.host');
      const linkLocal = await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: 'http://169.254.169.254/latest', headers: [], bodyTemplate: '{}',
      });
      expect(linkLocal.status).toBe(400);
      expect((await tenant.owner.get('/api/v1/settings/messages')).body.transports).toEqual({ whatsapp: null, sms: null, email: null });

      // Saved while allowed (another server's setting), then sent by a server that refuses it: not sent, with the reason.
      const other = await newTenant(app);
      await gatewayFor(other, 'sms', gateway.url);
      const member = await newMember(other);
      const otp = await requestOtp(other, member.phone);
      await dispatchDueMessages({ ...app.deps, config: { ...app.deps.config, allowPrivateTargets: false } });
      expect(gateway.requests).toHaveLength(0);
      const item = await outboxItem(other, otp.id);
      expect(item).toMatchObject({ status: 'pending', attempts: 1 });
      expect(item.lastError).toMatch(/loopback, private or link-local/);
    } finally {
      await gateway.close();
      await strict.close();
    }
  });
});

describe('tenant isolation and permissions', () => {
  it('keeps transports, outbox messages and retries within their tenant', async () => {
    const gateway = await startHttpReceiver([500, 500, 500, 500, 500, 500]);
    try {
      const a = await newTenant(app);
      const b = await newTenant(app);
      await gatewayFor(a, 'sms', gateway.url);
      const memberA = await newMember(a);
      const memberB = await newMember(b);
      const otpA = await requestOtp(a, memberA.phone);
      const otpB = await requestOtp(b, memberB.phone);
      expect(otpA.status).toBe('pending');
      expect(otpB.status).toBe('unconfigured'); // A's transport is not B's

      expect((await b.owner.get('/api/v1/settings/messages')).body.transports.sms).toBeNull();
      const bItems = (await b.owner.get('/api/v1/outbox')).body.items as any[];
      expect(bItems.map((m) => m.id)).toEqual([otpB.id]);
      await b.owner.post(`/api/v1/outbox/${otpA.id}/retry`).expect(404);
      await b.owner.post('/api/v1/settings/messages/transports/sms/test').send({ to: '081200000000' }).expect(404);

      const marketer = await newStaff(app, a, 'marketer');
      await marketer.agent.get('/api/v1/settings/messages').expect(403);
      await marketer.agent.put('/api/v1/settings/messages/transports/sms').send({ kind: 'http', url: `${gateway.url}/x`, headers: [], bodyTemplate: '{}' }).expect(403);
      await app.http.get('/api/v1/settings/messages').expect(401);
    } finally {
      await gateway.close();
    }
  });
});
