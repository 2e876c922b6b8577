import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { runAutomationEvents, runScheduledAutomations } from '../../api/src/automations/automations.jobs.ts';
import { newMember, newStaff, newTenant, rupiah, saleBody, type Tenant } from '../support/factories.ts';
import { adjust, expectLedgerClean, jakarta, postSale } from '../support/points.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const DAY = 86400e3;
const TEXT = { id: 'Halo {{name}}, ada hadiah untukmu: {{voucherCode}}', en: 'Hi {{name}}, a gift for you: {{voucherCode}}' };

async function newAutomation(tenant: Tenant, body: Record<string, unknown>) {
  const res = await tenant.owner.post('/api/v1/automations').send({ name: 'Automation', points: 50, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string };
}

/** The bonus entries automations gave the member: the reference names the automation. */
async function automationBonuses(tenant: Tenant, memberId: string) {
  return app.deps.db
    .selectFrom('point_entries as e')
    .innerJoin('point_accounts as a', (j) => j.onRef('a.tenant_id', '=', 'e.tenant_id').onRef('a.id', '=', 'e.account_id'))
    .select(['e.kind', 'e.points', 'e.reference', 'e.note'])
    .where('e.tenant_id', '=', tenant.id)
    .where('a.member_id', '=', memberId)
    .where('e.reference', 'like', 'automation:%')
    .execute();
}

const events = () => runAutomationEvents(app.deps.db);
const scheduled = (tenant: Tenant, at: Date) => runScheduledAutomations(app.deps.db, at, { tenantId: tenant.id });
const results = async (tenant: Tenant, id: string) => (await tenant.owner.get(`/api/v1/automations/${id}/results`).expect(200)).body;

describe('automations: create, edit, pause', () => {
  it('creates, reads, changes, pauses, resumes and archives an automation, audit-logged; marketers may, cashiers may not', async () => {
    const tenant = await newTenant(app);
    const marketer = await newStaff(app, tenant, 'marketer');
    const created = await marketer.agent.post('/api/v1/automations').send({
      name: 'Selamat ulang tahun', trigger: { kind: 'birthday' }, points: 100, message: TEXT,
      voucher: { kind: 'amount', value: rupiah(25_000), validDays: 30 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      name: 'Selamat ulang tahun', status: 'active', trigger: { kind: 'birthday' }, points: 100, message: TEXT,
      voucher: { kind: 'amount', value: rupiah(25_000), validDays: 30 },
      totals: { runs: 0, reached: 0, points: 0, vouchersIssued: 0, vouchersRedeemed: 0, messagesQueued: 0, messagesSent: 0, messagesSkipped: 0 },
    });
    const changed = await marketer.agent.patch(`/api/v1/automations/${id}`).send({ points: 150, trigger: { kind: 'inactive', days: 60 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ points: 150, trigger: { kind: 'inactive', days: 60 }, message: TEXT });
    expect((await marketer.agent.post(`/api/v1/automations/${id}/pause`)).body.status).toBe('paused');
    expect((await marketer.agent.post(`/api/v1/automations/${id}/resume`)).body.status).toBe('active');
    expect((await tenant.owner.get('/api/v1/automations')).body.items.map((a: { id: string }) => a.id)).toEqual([id]);
    expect((await marketer.agent.post(`/api/v1/automations/${id}/archive`)).body.status).toBe('archived');
    expect((await tenant.owner.get('/api/v1/automations')).body.items).toHaveLength(0);
    expect((await marketer.agent.patch(`/api/v1/automations/${id}`).send({ points: 1 })).status).toBe(409);

    const audit = await tenant.owner.get('/api/v1/audit').query({ targetId: id });
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(
      ['automation.active', 'automation.archived', 'automation.created', 'automation.paused', 'automation.updated'].sort(),
    );

    const cashier = await newStaff(app, tenant, 'cashier');
    expect((await cashier.agent.post('/api/v1/automations').send({ name: 'x', trigger: { kind: 'sign_up' }, points: 5 })).status).toBe(403);
    // Another tenant sees nothing of it.
    const other = await newTenant(app);
    expect((await other.owner.get(`/api/v1/automations/${id}`)).status).toBe(404);
    expect((await other.owner.post(`/api/v1/automations/${id}/pause`)).status).toBe(404);
  });

  it('refuses bad input naming the field', async () => {
    const tenant = await newTenant(app);
    const bad = async (body: Record<string, unknown>, path: string) => {
      const res = await tenant.owner.post('/api/v1/automations').send({ name: 'x', trigger: { kind: 'sign_up' }, points: 10, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.body)).toContain(path);
    };
    await bad({ points: undefined }, 'points');
    await bad({ trigger: { kind: 'someday' } }, 'trigger');
    await bad({ trigger: { kind: 'inactive' } }, 'trigger.days');
    await bad({ trigger: { kind: 'inactive', days: 0 } }, 'trigger.days');
    await bad({ trigger: { kind: 'segment_entry', segment: 'nope' } }, 'body.trigger.segment');
    await bad({ trigger: { kind: 'tier_change', direction: 'up', tier: 'platinum' } }, 'body.trigger.tier');
    await bad({ message: { id: 'Halo' } }, 'message.en');
    await bad({ message: { id: 'Halo {{name}}', en: 'Hello {{nama}}' } }, 'body.message.en');
    await bad({ points: 1.5 }, 'points');
    const a = await newAutomation(tenant, { trigger: { kind: 'sign_up' } });
    const res = await tenant.owner.patch(`/api/v1/automations/${a.id}`).send({ points: null });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('body.points');
    expect((await tenant.owner.patch('/api/v1/settings/automations').send({ messageCap: -1 })).status).toBe(400);
  });
});

describe('event triggers', () => {
  it('sign-up: a bonus entry naming the automation, a voucher and a message, once however often the job runs', async () => {
    const tenant = await newTenant(app);
    const welcome = await newAutomation(tenant, {
      name: 'Welcome gift', trigger: { kind: 'sign_up' }, points: 75, voucher: { kind: 'amount', value: rupiah(10_000), validDays: 7 }, message: TEXT,
    });
    const consenting = await newMember(tenant, { marketingOptIn: true });
    const silent = await newMember(tenant, { marketingOptIn: false });
    await events();
    await events();
    for (const member of [consenting, silent]) {
      expect(await automationBonuses(tenant, member.id)).toEqual([
        { kind: 'bonus', points: 75, reference: `automation:${welcome.id}`, note: 'Automation: Welcome gift' },
      ]);
    }
    const vouchers = await app.deps.db.selectFrom('vouchers as v').innerJoin('voucher_batches as b', (j) => j.onRef('b.tenant_id', '=', 'v.tenant_id').onRef('b.id', '=', 'v.batch_id'))
      .select(['v.member_id', 'b.origin', 'b.automation_id', 'b.value']).where('v.tenant_id', '=', tenant.id).orderBy('v.member_id').execute();
    expect(vouchers).toEqual([consenting.id, silent.id].sort().map((memberId) => ({ member_id: memberId, origin: 'automation', automation_id: welcome.id, value: rupiah(10_000) })));
    const outbox = await app.deps.db.selectFrom('outbox_messages').select(['member_id', 'body', 'purpose']).where('tenant_id', '=', tenant.id)
      .where('purpose', '=', `automation:${welcome.id}`).execute();
    expect(outbox.map((m) => m.member_id)).toEqual([consenting.id]);
    const code = (await app.deps.db.selectFrom('vouchers').select('code').where('tenant_id', '=', tenant.id).where('member_id', '=', consenting.id).executeTakeFirstOrThrow()).code;
    expect(outbox[0].body).toContain(code);
    expect(await results(tenant, welcome.id)).toMatchObject({
      runs: 2, reached: 2, points: 150, vouchersIssued: 2, vouchersRedeemed: 0, messagesQueued: 1, messagesSkipped: 1,
      skipped: [{ reason: 'no_consent', count: 1 }],
    });
    await expectLedgerClean(app, tenant.id);
  });

  it('first purchase once; a purchase in a category once per sale; paused automations do nothing', async () => {
    const tenant = await newTenant(app);
    const first = await newAutomation(tenant, { name: 'First', trigger: { kind: 'first_purchase' }, points: 20 });
    const kopi = await newAutomation(tenant, { name: 'Kopi', trigger: { kind: 'category_purchase', categories: ['kopi'] }, points: 5 });
    const paused = await newAutomation(tenant, { name: 'Paused', trigger: { kind: 'category_purchase', categories: ['kopi'] }, points: 1, status: 'paused' });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'TEH', category: 'teh', quantity: 1, unitPrice: rupiah(20_000) }] }));
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'KOPI', category: 'kopi', quantity: 1, unitPrice: rupiah(20_000) }] }));
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'KOPI', category: 'kopi', quantity: 2, unitPrice: rupiah(20_000) }] }));
    await events();
    await events();
    const bonuses = await automationBonuses(tenant, member.id);
    expect(bonuses.filter((b) => b.reference === `automation:${first.id}`).map((b) => b.points)).toEqual([20]);
    expect(bonuses.filter((b) => b.reference === `automation:${kopi.id}`).map((b) => b.points)).toEqual([5, 5]);
    expect(bonuses.filter((b) => b.reference === `automation:${paused.id}`)).toEqual([]);
    expect((await results(tenant, kopi.id))).toMatchObject({ runs: 2, reached: 1, points: 10 });
    await expectLedgerClean(app, tenant.id);
  });

  it('tier up fires the "up" automation, not the "down" one', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.post('/api/v1/tiers').send({ code: 'gold', name: 'Gold', rank: 1, minQualifying: rupiah(100_000), earnMultiplier: 1 }).expect(201);
    const up = await newAutomation(tenant, { name: 'Up', trigger: { kind: 'tier_change', direction: 'up', tier: 'gold' }, points: 30 });
    const down = await newAutomation(tenant, { name: 'Down', trigger: { kind: 'tier_change', direction: 'down' }, points: 1 });
    const member = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: member.id, items: [{ sku: 'X', quantity: 1, unitPrice: rupiah(150_000) }] }));
    await events();
    const refs = (await automationBonuses(tenant, member.id)).map((b) => b.reference);
    expect(refs).toEqual([`automation:${up.id}`]);
    expect(refs).not.toContain(`automation:${down.id}`);
    // A change made by set-based SQL (as the yearly review steps members down) is recorded too.
    await sql`update members m set tier_id = (select id from tiers where tenant_id = m.tenant_id and rank = 0)
              where m.tenant_id = ${tenant.id} and m.id = ${member.id}`.execute(app.deps.db);
    await events();
    expect((await automationBonuses(tenant, member.id)).map((b) => b.reference).sort()).toEqual([`automation:${up.id}`, `automation:${down.id}`].sort());
  });
});

describe('scheduled triggers', () => {
  it('birthday in the tenant’s time zone, once a year; 29 February counts on 28 February in other years', async () => {
    const tenant = await newTenant(app);
    const birthday = await newAutomation(tenant, { name: 'Birthday', trigger: { kind: 'birthday' }, points: 100 });
    const leapling = await newMember(tenant, { birthDate: '2000-02-29' });
    const march = await newMember(tenant, { birthDate: '1990-03-01' });
    const ofMember = async (id: string) => (await automationBonuses(tenant, id)).length;

    await scheduled(tenant, jakarta(2027, 2, 28, 10));
    await scheduled(tenant, jakarta(2027, 2, 28, 23));
    expect([await ofMember(leapling.id), await ofMember(march.id)]).toEqual([1, 0]);
    // 00:30 on 1 March in Jakarta is still 28 February in UTC: the tenant's day counts.
    await scheduled(tenant, jakarta(2027, 3, 1, 0, 30));
    expect([await ofMember(leapling.id), await ofMember(march.id)]).toEqual([1, 1]);
    // 2028 is a leap year: not on the 28th, on the 29th.
    await scheduled(tenant, jakarta(2028, 2, 28, 10));
    expect(await ofMember(leapling.id)).toBe(1);
    await scheduled(tenant, jakarta(2028, 2, 29, 10));
    expect(await ofMember(leapling.id)).toBe(2);
    expect(await results(tenant, birthday.id)).toMatchObject({ runs: 3, reached: 2, points: 300 });
    await expectLedgerClean(app, tenant.id);
  });

  it('no purchase for N days: once per quiet spell; points expiring within N days', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/points').send({ expiryPolicy: 'months', expiryMonths: 1 }).expect(200);
    const winBack = await newAutomation(tenant, { name: 'Win back', trigger: { kind: 'inactive', days: 30 }, points: 40 });
    const expiring = await newAutomation(tenant, { name: 'Expiring', trigger: { kind: 'points_expiring', days: 45 }, points: 2 });
    const soon = await newAutomation(tenant, { name: 'Soon', trigger: { kind: 'points_expiring', days: 3 }, points: 3 });
    const quiet = await newMember(tenant);
    const busy = await newMember(tenant);
    await postSale(tenant, saleBody({ memberId: quiet.id, occurredAt: new Date(Date.now() - 20 * DAY).toISOString() }));
    await adjust(tenant, busy.id, 500);
    const refs = async (id: string, automation: { id: string }) =>
      (await automationBonuses(tenant, id)).filter((b) => b.reference === `automation:${automation.id}`).length;

    await scheduled(tenant, new Date());
    await scheduled(tenant, new Date());
    expect(await refs(quiet.id, winBack)).toBe(0);
    expect([await refs(busy.id, expiring), await refs(busy.id, soon)]).toEqual([1, 0]);

    // 15 days on, the quiet member has bought nothing for 35 days (the busy one joined 15 days before).
    const later = new Date(Date.now() + 15 * DAY);
    await scheduled(tenant, later);
    await scheduled(tenant, later);
    expect([await refs(quiet.id, winBack), await refs(busy.id, winBack)]).toEqual([1, 0]);
    expect(await refs(busy.id, expiring)).toBe(1);
    // A purchase ends the spell; 31 days after it the member is quiet again: a new occasion.
    await postSale(tenant, saleBody({ memberId: quiet.id }));
    await scheduled(tenant, new Date(Date.now() + 31 * DAY));
    expect(await refs(quiet.id, winBack)).toBe(2);
    await expectLedgerClean(app, tenant.id);
  });

  it('entering a segment: members in it at the start do not count, newcomers do once', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.post('/api/v1/segments').send({ code: 'vip', name: 'VIP', rules: { match: 'all', conditions: [{ type: 'tags', any: ['vip'] }] } }).expect(201);
    const already = await newMember(tenant, { tags: ['vip'] });
    const newcomer = await newMember(tenant);
    const vip = await newAutomation(tenant, { name: 'VIP', trigger: { kind: 'segment_entry', segment: 'vip' }, points: 10 });
    await scheduled(tenant, new Date());
    await tenant.owner.patch(`/api/v1/members/${newcomer.id}`).send({ tags: ['vip'] }).expect(200);
    await scheduled(tenant, new Date());
    await scheduled(tenant, new Date());
    expect(await automationBonuses(tenant, already.id)).toEqual([]);
    expect((await automationBonuses(tenant, newcomer.id)).map((b) => b.reference)).toEqual([`automation:${vip.id}`]);
  });
});

describe('consent and frequency caps', () => {
  it('at most N automated marketing messages per member per D days, across automations; points still come', async () => {
    const tenant = await newTenant(app);
    await tenant.owner.patch('/api/v1/settings/automations').send({ messageCap: 2, capDays: 7 }).expect(200);
    expect((await tenant.owner.get('/api/v1/settings/automations')).body).toEqual({ messageCap: 2, capDays: 7 });
    const automations = [];
    for (let i = 0; i < 3; i++) automations.push(await newAutomation(tenant, { name: `Hello ${i}`, trigger: { kind: 'sign_up' }, points: 1, message: TEXT }));
    const member = await newMember(tenant, { marketingOptIn: true });
    await events();
    const runs = await app.deps.db.selectFrom('automation_runs').select(['message_status', 'message_reason', 'points']).where('tenant_id', '=', tenant.id).execute();
    expect(runs.map((r) => r.message_status).sort()).toEqual(['queued', 'queued', 'skipped']);
    expect(runs.find((r) => r.message_status === 'skipped')?.message_reason).toBe('frequency_cap');
    expect(runs.every((r) => r.points === 1)).toBe(true);
    const queued = await app.deps.db.selectFrom('outbox_messages').select('id').where('tenant_id', '=', tenant.id).where('member_id', '=', member.id)
      .where('purpose', 'like', 'automation:%').execute();
    expect(queued).toHaveLength(2);
    // The cap's window: messages older than capDays no longer count.
    await sql`update automation_runs set created_at = now() - interval '8 days' where tenant_id = ${tenant.id}`.execute(app.deps.db);
    const later = await newAutomation(tenant, { name: 'Later', trigger: { kind: 'birthday' }, points: 1, message: TEXT });
    await tenant.owner.patch(`/api/v1/members/${member.id}`).send({ birthDate: '1995-06-15' }).expect(200);
    await scheduled(tenant, jakarta(2027, 6, 15, 9));
    expect((await results(tenant, later.id)).messagesQueued).toBe(1);
  });
});
