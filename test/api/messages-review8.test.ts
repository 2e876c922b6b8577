import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatchDueMessages } from '../../api/src/messages/dispatch.ts';
import { queueMemberMessage } from '../../api/src/messages/messages.service.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Review of issue 8's messages: defects found by the independent review, each with its test.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the dispatcher’s lease', () => {
  it('claims each batch with a lease from the moment of the claim, so a long run is not sent again by another process', async () => {
    // The clock moves 7 s per request the gateway gets: the first batch of 20 takes 140 s, longer
    // than the lease. When the second batch's message arrives, a second dispatcher (another API
    // process) runs at that moment: it must find nothing to claim.
    const realNow = Date.now.bind(Date);
    let offset = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    const refs: string[] = [];
    let secondRun: Promise<unknown> | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        refs.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).ref);
        offset += 7_000;
        if (refs.length === 21 && !secondRun) {
          secondRun = dispatchDueMessages(app.deps, new Date(Date.now()));
          await secondRun;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = await newTenant(app);
      await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, method: 'POST', headers: [],
        bodyTemplate: '{"to":"{{to}}","text":"{{text}}","ref":"{{id}}"}', contentType: 'application/json',
      }).expect(200);
      await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms'] }).expect(200);
      const ids: string[] = [];
      for (let i = 0; i < 21; i++) {
        const member = await newMember(tenant);
        const queued = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: member.id, purpose: 'lease', marketing: false, text: { id: 'Halo {{name}}', en: 'Hi {{name}}' } });
        ids.push((queued as { messageId: string }).messageId);
      }
      // Only this tenant's messages are due (others' may be pending from other tests at other times).
      await dispatchDueMessages(app.deps, new Date(realNow()));
      expect(secondRun).not.toBeNull();
      const mine = refs.filter((ref) => ids.includes(ref));
      expect(new Set(mine).size).toBe(21);
      expect(mine).toHaveLength(21);
      const rows = await app.deps.db.selectFrom('outbox_messages').select(['status', 'attempts']).where('tenant_id', '=', tenant.id).execute();
      expect(rows.map((r) => `${r.status}/${r.attempts}`)).toEqual(Array(21).fill('sent/1'));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the dispatcher’s batches', () => {
  it('claims at most a batch of 20 at a time, so a backlog is not all sent at once under one lease', async () => {
    let inFlight = 0;
    let most = 0;
    const refs: string[] = [];
    const server = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        refs.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).ref);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
        }, 100);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = await newTenant(app);
      await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, method: 'POST', headers: [],
        bodyTemplate: '{"to":"{{to}}","text":"{{text}}","ref":"{{id}}"}', contentType: 'application/json',
      }).expect(200);
      await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms'] }).expect(200);
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const member = await newMember(tenant);
        const queued = await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: member.id, purpose: 'batch', marketing: false, text: { id: 'Halo {{name}}', en: 'Hi {{name}}' } });
        ids.push((queued as { messageId: string }).messageId);
      }
      const result = await dispatchDueMessages(app.deps);
      expect(result.sent).toBeGreaterThanOrEqual(25);
      expect(refs.filter((ref) => ids.includes(ref)).sort()).toEqual([...ids].sort());
      expect(most).toBeLessThanOrEqual(20);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('one-time codes', () => {
  it('are sent before a backlog of campaign messages queued earlier', async () => {
    const order: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        order.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).ref);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = await newTenant(app);
      await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, method: 'POST', headers: [],
        bodyTemplate: '{"to":"{{to}}","text":"{{text}}","ref":"{{id}}"}', contentType: 'application/json',
      }).expect(200);
      await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms'] }).expect(200);
      const members = [];
      for (let i = 0; i < 25; i++) {
        const member = await newMember(tenant, { marketingOptIn: true });
        members.push(member);
        await queueMemberMessage(app.deps.db, { tenantId: tenant.id, memberId: member.id, purpose: 'automation:test', marketing: true, text: { id: 'Promo {{name}}', en: 'Promo {{name}}' } });
      }
      await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: members[0]!.phone }).expect(202);
      const otp = await app.deps.db.selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).where('purpose', '=', 'otp').executeTakeFirstOrThrow();
      await dispatchDueMessages(app.deps, new Date(Date.now() + 1000));
      expect(order).toContain(otp.id);
      // The first batch (of 20) carries the code, ahead of the 25 promotions queued before it.
      expect(order.indexOf(otp.id)).toBeLessThan(20);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('outgoing targets', () => {
  it('refuses IPv6 addresses that carry a private IPv4 one (NAT64, IPv4-compatible, 6to4) when private targets are off', async () => {
    const strict = await createTestApp({ KARTU_ALLOW_PRIVATE_TARGETS: 'off' });
    try {
      const tenant = await newTenant(strict);
      for (const host of ['[64:ff9b::a00:1]', '[64:ff9b::a9fe:a9fe]', '[::7f00:1]', '[2002:c0a8:101::1]', '[64:ff9b:1::1]']) {
        const res = await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
          kind: 'http', url: `http://${host}/send`, method: 'POST', headers: [], bodyTemplate: '{"to":"{{to}}"}', contentType: 'application/json',
        });
        expect(res.status, host).toBe(400);
        expect(res.body.errors[0], host).toMatchObject({ path: 'body.url', message: expect.stringContaining('private') });
        const smtp = await tenant.owner.put('/api/v1/settings/messages/transports/email').send({ kind: 'smtp', host, port: 25, security: 'none', from: 'a@b.example' });
        expect(smtp.status, host).toBe(400);
        expect(smtp.body.errors[0].path).toBe('body.host');
      }
      // A public address behind NAT64 is still a fine target.
      const ok = await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: 'http://[64:ff9b::808:808]/send', method: 'POST', headers: [], bodyTemplate: '{"to":"{{to}}"}', contentType: 'application/json',
      });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect((await tenant.owner.get('/api/v1/settings/messages')).body.transports).toMatchObject({ email: null });
    } finally {
      await strict.close();
    }
  });
});

describe('a gateway that never finishes answering', () => {
  it('fails the attempt within the deadline (the message is retried later) instead of holding the dispatcher for ever', async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        // A byte a second: never idle for long, never done.
        timers.push(setInterval(() => res.write(' '), 1000));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = await newTenant(app);
      await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
        kind: 'http', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, method: 'POST', headers: [],
        bodyTemplate: '{"to":"{{to}}","text":"{{text}}"}', contentType: 'application/json',
      }).expect(200);
      const member = await newMember(tenant);
      await app.http.post('/api/v1/member-auth/otp').send({ slug: tenant.slug, phone: member.phone }).expect(202);
      const started = Date.now();
      const outcome = await Promise.race([
        dispatchDueMessages(app.deps, new Date(Date.now() + 1000)),
        new Promise((resolve) => setTimeout(() => resolve('still sending'), 30_000)),
      ]);
      expect(outcome).not.toBe('still sending');
      expect(Date.now() - started).toBeLessThan(25_000);
      const row = await app.deps.db.selectFrom('outbox_messages').select(['status', 'attempts', 'last_error']).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error).toMatch(/did not finish answering/);
    } finally {
      timers.forEach(clearInterval);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
