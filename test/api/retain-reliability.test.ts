import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { EVENT_RETRY_DELAYS, runAutomationEvents, runScheduledAutomations } from '../../api/src/automations/automations.jobs.ts';
import { newMember, newTenant, type Tenant } from '../support/factories.ts';
import { signedInMember } from '../support/cards.ts';
import { expectLedgerClean, jakarta } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

async function newAutomation(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/automations').send({ name: 'Automation', points: 50, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

async function bonusesOf(tenant: Tenant, memberId: string) {
  const { rows } = await sql<{ points: number }>`
    select e.points from point_entries e join point_accounts a on a.tenant_id = e.tenant_id and a.id = e.account_id
    where e.tenant_id = ${tenant.id} and a.member_id = ${memberId} and e.reference like 'automation:%'`.execute(app.deps.db);
  return rows.map((r) => Number(r.points));
}

const eventsOf = (tenant: Tenant) =>
  app.deps.db.selectFrom('automation_events').select(['id', 'attempts', 'error', 'processed_at', 'next_attempt_at']).where('tenant_id', '=', tenant.id).execute();

/** Makes the tenant's waiting events due now, as if their backoff had passed. */
const backoffPassed = (tenant: Tenant) =>
  app.deps.db.updateTable('automation_events').set({ next_attempt_at: sql`now() - interval '1 second'` })
    .where('tenant_id', '=', tenant.id).where('processed_at', 'is', null).execute();

/** A transient database failure inside the event's transaction, after its effects were written. */
const deadlockOnce = () => {
  let thrown = 0;
  return {
    pause: async () => {
      if (thrown++ === 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    },
  };
};

describe('automation events that fail are tried again', () => {
  it('a deadlock rolls the event back and it is tried again after the backoff: exactly one bonus', async () => {
    const tenant = await newTenant(app);
    await newAutomation(tenant, { trigger: { kind: 'sign_up' }, points: 40 });
    const member = await newMember(tenant);

    const first = await runAutomationEvents(app.deps.db, deadlockOnce());
    expect(first).toMatchObject({ failed: 1, runs: 0 });
    expect(await bonusesOf(tenant, member.id)).toEqual([]);
    let [event] = await eventsOf(tenant);
    expect(event).toMatchObject({ attempts: 1, error: 'deadlock detected', processed_at: null });
    const wait = new Date(event!.next_attempt_at!).getTime() - Date.now();
    expect(wait).toBeGreaterThan((EVENT_RETRY_DELAYS[0]! - 5) * 1000);
    expect(wait).toBeLessThanOrEqual(EVENT_RETRY_DELAYS[0]! * 1000);

    // Not due yet: another run leaves it alone.
    expect(await runAutomationEvents(app.deps.db)).toMatchObject({ events: 0 });
    const list = (await tenant.owner.get('/api/v1/automations').expect(200)).body;
    expect(list.eventFailures).toEqual({ failed: 0, retrying: 1, lastError: 'deadlock detected' });

    await backoffPassed(tenant);
    expect(await runAutomationEvents(app.deps.db)).toMatchObject({ events: 1, runs: 1, failed: 0 });
    expect(await bonusesOf(tenant, member.id)).toEqual([40]);
    [event] = await eventsOf(tenant);
    expect(event).toMatchObject({ error: null });
    expect(event!.processed_at).not.toBeNull();
    expect((await tenant.owner.get('/api/v1/automations').expect(200)).body.eventFailures).toEqual({ failed: 0, retrying: 0, lastError: null });

    // Worked off: running again changes nothing.
    await backoffPassed(tenant);
    await runAutomationEvents(app.deps.db);
    expect(await bonusesOf(tenant, member.id)).toEqual([40]);
    await expectLedgerClean(app, tenant.id);
  });

  it('an event failing every time is given up after the last attempt, counted in the list, and does not hold back the others', async () => {
    const tenant = await newTenant(app);
    await newAutomation(tenant, { trigger: { kind: 'sign_up' }, points: 10 });
    const doomed = await newMember(tenant);
    const fine = await newMember(tenant);
    const failFor = (memberId: string) => ({
      pause: async () => {
        throw Object.assign(new Error(`connection terminated (${memberId.slice(0, 4)})`), { code: '57P01' });
      },
    });
    // The first event (the doomed member's) fails; the second is worked off in the same run.
    let calls = 0;
    const firstFails = { pause: async () => { if (calls++ === 0) await failFor(doomed.id).pause(); } };
    expect(await runAutomationEvents(app.deps.db, firstFails)).toMatchObject({ events: 2, runs: 1, failed: 1 });
    expect(await bonusesOf(tenant, fine.id)).toEqual([10]);

    for (let attempt = 2; attempt <= EVENT_RETRY_DELAYS.length + 1; attempt++) {
      await backoffPassed(tenant);
      expect(await runAutomationEvents(app.deps.db, failFor(doomed.id))).toMatchObject({ events: 1, failed: 1 });
    }
    const [event] = (await eventsOf(tenant)).filter((e) => e.error);
    expect(event!.attempts).toBe(EVENT_RETRY_DELAYS.length + 1);
    expect(event!.processed_at).not.toBeNull();
    await backoffPassed(tenant);
    expect(await runAutomationEvents(app.deps.db)).toMatchObject({ events: 0 });
    expect(await bonusesOf(tenant, doomed.id)).toEqual([]);
    const { eventFailures } = (await tenant.owner.get('/api/v1/automations').expect(200)).body;
    expect(eventFailures).toMatchObject({ failed: 1, retrying: 0 });
    expect(eventFailures.lastError).toContain('connection terminated');
  });
});

describe('birthdays missed while no job ran', () => {
  it('are celebrated within 7 days, once, with the year of the birthday; not older ones, not before the member joined or the automation existed', async () => {
    const tenant = await newTenant(app);
    const automation = await newAutomation(tenant, { name: 'Birthday', trigger: { kind: 'birthday' }, points: 100 });
    const sixDaysAgo = await newMember(tenant, { birthDate: '1990-05-07' });
    const today = await newMember(tenant, { birthDate: '1991-05-13' });
    const eightDaysAgo = await newMember(tenant, { birthDate: '1992-05-05' });
    const tomorrow = await newMember(tenant, { birthDate: '1993-05-14' });
    const count = async () => Promise.all([sixDaysAgo, today, eightDaysAgo, tomorrow].map(async (m) => (await bonusesOf(tenant, m.id)).length));

    // The servers were down from 4 to 12 May 2027 (Jakarta); the job runs again on the 13th.
    await runScheduledAutomations(app.deps.db, jakarta(2027, 5, 13, 8), { tenantId: tenant.id });
    expect(await count()).toEqual([1, 1, 0, 0]);
    await runScheduledAutomations(app.deps.db, jakarta(2027, 5, 14, 8), { tenantId: tenant.id });
    await runScheduledAutomations(app.deps.db, jakarta(2027, 5, 19, 8), { tenantId: tenant.id });
    expect(await count()).toEqual([1, 1, 0, 1]);
    const occasions = await app.deps.db.selectFrom('automation_runs').select(['member_id', 'occasion'])
      .where('tenant_id', '=', tenant.id).where('automation_id', '=', automation.id).execute();
    expect(occasions.map((r) => r.occasion)).toEqual(['2027', '2027', '2027']);

    // A year-end birthday caught up in January keeps the old year: the next one still comes.
    const newYearsEve = await newMember(tenant, { birthDate: '1994-12-31' });
    await runScheduledAutomations(app.deps.db, jakarta(2028, 1, 3, 8), { tenantId: tenant.id });
    await runScheduledAutomations(app.deps.db, jakarta(2028, 12, 31, 8), { tenantId: tenant.id });
    expect((await app.deps.db.selectFrom('automation_runs').select('occasion').where('tenant_id', '=', tenant.id)
      .where('member_id', '=', newYearsEve.id).orderBy('occasion').execute()).map((r) => r.occasion)).toEqual(['2027', '2028']);
    await expectLedgerClean(app, tenant.id);
  });

  it('a birthday before the member joined, or before the automation was made, is not owed', async () => {
    const tenant = await newTenant(app);
    const automation = await newAutomation(tenant, { name: 'Birthday', trigger: { kind: 'birthday' }, points: 100 });
    const joinedLate = await newMember(tenant, { birthDate: '1990-03-08' });
    const member = await newMember(tenant, { birthDate: '1990-03-08' });
    // The member joined on 9 March 2027, the day after the birthday; the automation and the other member existed before.
    await app.deps.db.updateTable('automations').set({ created_at: sql`${jakarta(2027, 1, 1)}` }).where('id', '=', automation.id).execute();
    await app.deps.db.updateTable('members').set({ created_at: sql`${jakarta(2027, 1, 1)}` }).where('id', '=', member.id).execute();
    await app.deps.db.updateTable('members').set({ created_at: sql`${jakarta(2027, 3, 9, 10)}` }).where('id', '=', joinedLate.id).execute();
    await runScheduledAutomations(app.deps.db, jakarta(2027, 3, 10, 8), { tenantId: tenant.id });
    expect([(await bonusesOf(tenant, member.id)).length, (await bonusesOf(tenant, joinedLate.id)).length]).toEqual([1, 0]);

    // An automation made on 10 March owes nothing for 8 March.
    const later = await newAutomation(tenant, { name: 'Birthday 2', trigger: { kind: 'birthday' }, points: 5 });
    await app.deps.db.updateTable('automations').set({ created_at: sql`${jakarta(2027, 3, 10, 9)}` }).where('id', '=', later.id).execute();
    await runScheduledAutomations(app.deps.db, jakarta(2027, 3, 10, 10), { tenantId: tenant.id });
    expect(await bonusesOf(tenant, member.id)).toEqual([100]);
  });
});

describe('feedback threads: members write back; staff see whether a reply reached the member', () => {
  it('a member answers in their own thread, a resolved thread opens again, and the inbox shows the conversation', async () => {
    const tenant = await newTenant(app);
    const { phoneApp } = await signedInMember(app, tenant);
    const thread = (await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Struk tidak keluar' }).expect(201)).body;
    await tenant.owner.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'Maaf, struk apa?', status: 'resolved' }).expect(201);

    const answered = await phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: '  Struk belanja kemarin  ' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    expect(answered.body.status).toBe('open');
    expect(answered.body.messages.map((m: { from: string; text: string }) => [m.from, m.text])).toEqual([['shop', 'Maaf, struk apa?'], ['member', 'Struk belanja kemarin']]);
    expect(answered.body.replies.map((r: { text: string }) => r.text)).toEqual(['Maaf, struk apa?']);

    const inbox = (await tenant.owner.get(`/api/v1/feedback/${thread.id}`).expect(200)).body;
    expect(inbox.status).toBe('open');
    expect(inbox.resolvedAt).toBeNull();
    expect(inbox.messages.map((m: { authorKind: string; delivery: unknown }) => [m.authorKind, m.delivery === null])).toEqual([['staff', false], ['member', true]]);
  });

  it('refuses another member’s thread (404), an empty text naming the field, and a sixth message without an answer (409)', async () => {
    const tenant = await newTenant(app);
    const mine = await signedInMember(app, tenant);
    const other = await signedInMember(app, tenant);
    const thread = (await mine.phoneApp.post('/api/v1/me/feedback').send({ kind: 'suggestion', text: 'Buka lebih pagi' }).expect(201)).body;

    expect((await other.phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: 'Halo' })).status).toBe(404);
    const empty = await mine.phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.text']);

    for (let i = 1; i <= 5; i++) await mine.phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: `Pesan ${i}` }).expect(201);
    const sixth = await mine.phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: 'Pesan 6' });
    expect(sixth.status).toBe(409);
    await tenant.owner.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'Kami pertimbangkan' }).expect(201);
    await mine.phoneApp.post(`/api/v1/me/feedback/${thread.id}/messages`).send({ text: 'Terima kasih' }).expect(201);
    const messages = (await tenant.owner.get(`/api/v1/feedback/${thread.id}`).expect(200)).body.messages;
    expect(messages).toHaveLength(7);
  });

  it('each staff reply says how it is reaching the member: unconfigured channel, failed with the reason, not sent to a blocked member', async () => {
    const tenant = await newTenant(app);
    const { member, phoneApp } = await signedInMember(app, tenant);
    const thread = (await phoneApp.post('/api/v1/me/feedback').send({ kind: 'complaint', text: 'Antrian panjang' }).expect(201)).body;

    const first = (await tenant.owner.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'Kami tambah kasir' }).expect(201)).body;
    expect(first.messages[0].delivery).toEqual({ status: 'unconfigured', channel: 'whatsapp', reason: null });

    // The dispatcher gave up on it (a gateway refusing it): the inbox shows why.
    const [outbox] = await app.deps.db.selectFrom('feedback_messages').select('outbox_message_id').where('thread_id', '=', thread.id).execute();
    await app.deps.db.updateTable('outbox_messages').set({ status: 'failed', last_error: 'HTTP 500 from the gateway' }).where('id', '=', outbox!.outbox_message_id!).execute();
    expect((await tenant.owner.get(`/api/v1/feedback/${thread.id}`).expect(200)).body.messages[0].delivery)
      .toEqual({ status: 'failed', channel: 'whatsapp', reason: 'HTTP 500 from the gateway' });

    await app.deps.db.updateTable('members').set({ status: 'blocked' }).where('id', '=', member.id).execute();
    const second = (await tenant.owner.post(`/api/v1/feedback/${thread.id}/replies`).send({ text: 'Sudah kami atasi' }).expect(201)).body;
    expect(second.messages[1].delivery).toEqual({ status: 'not_sent', channel: null, reason: 'inactive_member' });
  });
});
