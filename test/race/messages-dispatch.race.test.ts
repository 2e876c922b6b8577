import { afterAll, beforeAll, expect, it } from 'vitest';
import { dispatchDueMessages } from '../../api/src/messages/dispatch.ts';
import { queueMemberMessage } from '../../api/src/messages/messages.service.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { startHttpReceiver } from '../support/messages.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// Real PostgreSQL only: two apps stand for two API processes, each with its own connection pool.
let one: TestApp;
let two: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  [one, two] = await Promise.all([createTestApp(raceAppEnv()), createTestApp(raceAppEnv())]);
});
afterAll(async () => {
  await one?.close();
  await two?.close();
});

it('dispatchers in several processes send each pending message exactly once', async () => {
  const gateway = await startHttpReceiver();
  try {
    const tenant = await newTenant(one);
    await tenant.owner.put('/api/v1/settings/messages/transports/sms').send({
      kind: 'http', url: `${gateway.url}/send`, headers: [], bodyTemplate: '{"to":"{{to}}","text":"{{text}}","ref":"{{id}}"}',
    }).expect(200);
    await tenant.owner.put('/api/v1/settings/messages/channels').send({ channels: ['sms'] }).expect(200);
    const members = await Promise.all(Array.from({ length: 45 }, () => newMember(tenant)));
    const ids: string[] = [];
    for (const member of members) {
      const queued = await queueMemberMessage(one.deps.db, { tenantId: tenant.id, memberId: member.id, purpose: 'race', marketing: false, text: { id: 'Halo {{name}}', en: 'Hi {{name}}' } });
      ids.push((queued as { messageId: string }).messageId);
    }
    await Promise.all(Array.from({ length: concurrent(6) }, (_, i) => dispatchDueMessages((i % 2 ? two : one).deps)));

    const refs = gateway.requests.map((r) => JSON.parse(r.body).ref as string).filter((ref) => ids.includes(ref));
    expect(refs.length).toBe(ids.length);
    expect(new Set(refs).size).toBe(ids.length);
    const rows = await one.deps.db.selectFrom('outbox_messages').select(['status', 'attempts']).where('tenant_id', '=', tenant.id).execute();
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  } finally {
    await gateway.close();
  }
});
