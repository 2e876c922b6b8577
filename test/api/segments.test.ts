import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeRfm } from '../../api/src/rfm/rfm.service.ts';
import { newMember, newStaff, newStore, newTenant, rupiah, type Tenant } from '../support/factories.ts';
import { buildFixture, KEYS, NOW, type Fixture, type MemberKey } from '../support/know-customer.ts';
import { evaluate, newPromotion } from '../support/promotions.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let fx: Fixture;
beforeAll(async () => {
  app = await createTestApp();
  fx = await buildFixture(app);
  await recomputeRfm(app.deps.db, fx.principal, NOW);
}, 180_000);
afterAll(() => app.close());

const PROBLEM = 'application/problem+json';
const pathsOf = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

type Rules = { match: 'all' | 'any'; conditions: Record<string, unknown>[] };

async function preview(rules: Rules, at: Date | undefined = NOW, tenant: Tenant = fx.tenant) {
  const res = await tenant.owner.post('/api/v1/segments/preview').send({ rules, ...(at ? { at: at.toISOString() } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { count: number; members: { id: string; name: string; phone: string; tier: { code: string }; lifecycleStage: string }[] };
}

const keysOf = (members: { id: string }[]) => members.map((m) => fx.keyOf(m.id)).sort();
const all = (...conditions: Record<string, unknown>[]): Rules => ({ match: 'all', conditions });
const except = (...keys: MemberKey[]) => KEYS.filter((k) => !keys.includes(k));

// Who is in what at NOW, worked out from the fixture (test/support/know-customer.ts; RFM scores
// in test/api/rfm.test.ts). A window of N days holds the sales of fewer than N days ago.
const CASES: [string, Rules, MemberKey[]][] = [
  // Tier gold (Rp 1.800.000 within 12 months): M14 (2 × 1.0M), M15 (2.5M); M09 and M11 stop at 1.5M.
  ['tier gold', all({ type: 'tier', tiers: ['gold'] }), ['M14', 'M15']],
  ['tier member', all({ type: 'tier', tiers: ['member'] }), except('M14', 'M15')],
  // Stages at NOW (new 30, at risk 60, lapsed 180 days): M20 never bought; M11 came back 27 days ago
  // after 353 days away; M17's first purchase was 20 days ago.
  ['lifecycle lapsed', all({ type: 'lifecycle', stages: ['lapsed'] }), ['M10', 'M13', 'M15', 'M16', 'M19']],
  ['lifecycle at risk', all({ type: 'lifecycle', stages: ['at_risk'] }), ['M06', 'M08', 'M09', 'M12', 'M18']],
  ['lifecycle prospect, new, won back', all({ type: 'lifecycle', stages: ['prospect', 'new', 'won_back'] }), ['M11', 'M17', 'M20']],
  ['lifecycle active', all({ type: 'lifecycle', stages: ['active'] }), ['M01', 'M02', 'M03', 'M04', 'M05', 'M07', 'M14']],
  // Champions: R ≥ 4 {M01, M02, M03, M07, M11, M14} and F ≥ 4 {M01–M07}.
  ['rfm champions', all({ type: 'rfm', r: { min: 4 }, f: { min: 4 } }), ['M01', 'M02', 'M03', 'M07']],
  ['rfm m = 1', all({ type: 'rfm', m: { max: 1 } }), ['M10', 'M13', 'M16', 'M17']],
  // Spend of the last 30 days: M07 23 + 3 days ago 2 × 300k; M11 2 × 750k; M14 1.0M (its other sale is 34 days
  // ago); M02's sale of 30 days ago is outside; M04 200k, M01 100k, M03 80k, M17 20k are below.
  ['spend ≥ Rp 300.000 in 30 days', all({ type: 'spend', withinDays: 30, min: rupiah(300_000) }), ['M07', 'M11', 'M14']],
  ['spend Rp 1–100.000 in 30 days', all({ type: 'spend', withinDays: 30, min: 1, max: rupiah(100_000) }), ['M01', 'M03', 'M17']],
  ['no spend in 30 days', all({ type: 'spend', withinDays: 30, max: 0 }), except('M01', 'M02', 'M03', 'M04', 'M07', 'M11', 'M14', 'M17')],
  // Visits of the last 90 days: M01 5, M02 4 (10…70), M03 5, M04 4, M05 3 (45, 65, 85), M07 4; M06 2.
  ['3 visits in 90 days', all({ type: 'visits', withinDays: 90, min: 3 }), ['M01', 'M02', 'M03', 'M04', 'M05', 'M07']],
  ['exactly 2 visits in 90 days', all({ type: 'visits', withinDays: 90, min: 2, max: 2 }), ['M06', 'M11', 'M14']],
  // Last purchase 60–150 days ago; members who never bought never match, but are in the negation.
  ['60–150 days since purchase', all({ type: 'days_since_purchase', min: 60, max: 150 }), ['M06', 'M08', 'M09', 'M12', 'M18']],
  ['not 60–150 days since purchase', all({ type: 'days_since_purchase', min: 60, max: 150, negate: true }), except('M06', 'M08', 'M09', 'M12', 'M18')],
  ['bought within 300 days', all({ type: 'days_since_purchase', max: 299 }), except('M13', 'M15', 'M19', 'M20')],
  // SUSU-1: M12 bought it; M18's was refunded in full. Bread: M02, M04 and M18 (kept).
  ['bought SUSU-1', all({ type: 'bought', skus: ['SUSU-1'] }), ['M12']],
  ['bought bread or SUSU-1', all({ type: 'bought', skus: ['SUSU-1'], categories: ['roti'] }), ['M02', 'M04', 'M12', 'M18']],
  ['bought coffee in 7 days', all({ type: 'bought', categories: ['minuman'], withinDays: 7 }), ['M01', 'M03', 'M07']],
  // Store S2: M09 (120–160 days ago), M10 (200), M16 (250).
  ['store S2', all({ type: 'store', stores: ['S2'] }), ['M09', 'M10', 'M16']],
  ['store S2 in 210 days', all({ type: 'store', stores: ['S2'], withinDays: 210 }), ['M09', 'M10']],
  ['birthday in July', all({ type: 'birthday_month', months: [7] }), ['M01', 'M02', 'M20']],
  ['birthday not in July', all({ type: 'birthday_month', months: [7], negate: true }), except('M01', 'M02', 'M20')],
  ['tags any vip, kopi', all({ type: 'tags', any: ['vip', 'kopi'] }), ['M01', 'M07', 'M20']],
  ['tags all vip, kopi', all({ type: 'tags', all: ['vip', 'kopi'] }), ['M01']],
  ['marketing consent', all({ type: 'consent', marketing: true }), ['M01', 'M02', 'M03', 'M07', 'M11', 'M14']],
  ['no marketing consent', all({ type: 'consent', marketing: false }), except('M01', 'M02', 'M03', 'M07', 'M11', 'M14')],
  // Enrolled 10 days before NOW: M19, M20; M17 40 days before.
  ['joined in 30 days', all({ type: 'joined', withinDays: 30 }), ['M19', 'M20']],
  ['joined in 60 days', all({ type: 'joined', withinDays: 60 }), ['M17', 'M19', 'M20']],
  // any: gold {M14, M15} ∪ vip {M01, M07} ∪ born in December {M05}.
  ['any of gold, vip, December', {
    match: 'any',
    conditions: [{ type: 'tier', tiers: ['gold'] }, { type: 'tags', any: ['vip'] }, { type: 'birthday_month', months: [12] }],
  }, ['M01', 'M05', 'M07', 'M14', 'M15']],
  // all with a negation: consenting {M01, M02, M03, M07, M11, M14} without 3 visits in 90 days.
  ['consenting, not frequent', all({ type: 'consent', marketing: true }, { type: 'visits', withinDays: 90, min: 3, negate: true }), ['M11', 'M14']],
  ['no conditions: everyone', all(), [...KEYS]],
  ['any of nothing: everyone', { match: 'any', conditions: [] }, [...KEYS]],
];

describe('segment membership at a fixed now', () => {
  it.each(CASES)('%s', async (_, rules, expected) => {
    const withStores = JSON.parse(JSON.stringify(rules).replaceAll('"S2"', `"${fx.stores.S2}"`)) as Rules;
    const result = await preview(withStores);
    expect(keysOf(result.members)).toEqual([...expected].sort());
    expect(result.count).toBe(expected.length);
  });

  it('lists preview members newest first with tier and stage', async () => {
    const result = await preview(all({ type: 'tier', tiers: ['gold'] }));
    expect(result.members).toEqual([fx.ids.M15, fx.ids.M14].map((id) => ({
      id, name: expect.stringMatching(/^M1[45] /), phone: expect.stringMatching(/^\+62/), tier: { code: 'gold', name: 'Gold' }, lifecycleStage: id === fx.ids.M15 ? 'lapsed' : 'active',
    })));
  });

  it('saves segments whose live counts and member lists match the rules', async () => {
    const saved = [];
    for (const [name, rules, expected] of CASES.slice(0, 8)) {
      const res = await fx.tenant.owner.post('/api/v1/segments').send({ code: `seg-${randomUUID().slice(0, 8)}`, name, rules });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.memberCount).toBe(expected.length);
      saved.push({ id: res.body.id as string, expected });
    }
    // Segments without time windows count the same now as at NOW; the list counts each live.
    const list = await fx.tenant.owner.get('/api/v1/segments?limit=100');
    expect(list.status).toBe(200);
    for (const { id, expected } of saved) {
      expect(list.body.items.find((s: { id: string }) => s.id === id).memberCount).toBe(expected.length);
      const members = [];
      for (let cursor: string | null = ''; cursor !== null;) {
        const page = await fx.tenant.owner.get(`/api/v1/segments/${id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        members.push(...page.body.items);
        cursor = page.body.nextCursor;
      }
      expect(keysOf(members)).toEqual([...expected].sort());
      expect(members.map((m) => m.id)).toEqual(members.map((m) => m.id).sort().reverse());
    }
  });
});

describe('segments API', () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    code: `vip-${randomUUID().slice(0, 8)}`, name: 'VIP', description: 'Our best customers', rules: all({ type: 'tags', any: ['vip'] }), ...overrides,
  });

  it('creates, reads, changes and archives a segment, audit-logged', async () => {
    const tenant = await newTenant(app);
    const vip = await newMember(tenant);
    await tenant.owner.patch(`/api/v1/members/${vip.id}`).send({ tags: ['vip'] });
    await newMember(tenant);

    const created = await tenant.owner.post('/api/v1/segments').send(body({ code: 'vip' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String), code: 'vip', name: 'VIP', description: 'Our best customers', rules: all({ type: 'tags', any: ['vip'] }),
      status: 'active', memberCount: 1, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const id = created.body.id;
    expect((await tenant.owner.get(`/api/v1/segments/${id}`)).body).toEqual(created.body);
    expect((await tenant.owner.post('/api/v1/segments').send(body({ code: 'vip' }))).status).toBe(409);

    const patched = await tenant.owner.patch(`/api/v1/segments/${id}`).send({ name: 'Everyone', rules: all() });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ code: 'vip', name: 'Everyone', description: 'Our best customers', rules: all(), memberCount: 2 });
    expect((await tenant.owner.patch(`/api/v1/segments/${id}`).send({ code: 'other' })).status).toBe(400);

    expect((await tenant.owner.delete(`/api/v1/segments/${id}`)).status).toBe(204);
    expect((await tenant.owner.delete(`/api/v1/segments/${id}`)).status).toBe(204);
    expect((await tenant.owner.get(`/api/v1/segments/${id}`)).body.status).toBe('archived');
    expect((await tenant.owner.patch(`/api/v1/segments/${id}`).send({ name: 'Again' })).status).toBe(409);
    expect((await tenant.owner.get('/api/v1/segments?status=active')).body.items).toEqual([]);
    expect((await tenant.owner.get('/api/v1/segments?status=archived')).body.items.map((s: { id: string }) => s.id)).toEqual([id]);

    const audit = await app.deps.db.selectFrom('audit_log').select(['action', 'target_id', 'actor_id'])
      .where('tenant_id', '=', tenant.id).where('action', 'like', 'segment.%').orderBy('id').execute();
    expect(audit).toEqual(['segment.created', 'segment.updated', 'segment.archived'].map((action) => ({ action, target_id: id, actor_id: tenant.ownerId })));
  });

  it('previews without changing anything', async () => {
    const tenant = await newTenant(app);
    await newMember(tenant);
    const counts = async () => Promise.all(['segments', 'audit_log', 'members'].map(async (table) =>
      Number((await app.deps.db.selectFrom(table as 'segments').select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', tenant.id).executeTakeFirstOrThrow()).n)));
    const before = await counts();
    const result = await preview(all({ type: 'consent', marketing: false }), undefined, tenant);
    expect(result.count).toBe(1);
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for another tenant’s segment', async () => {
    const mine = await newTenant(app);
    const theirs = await newTenant(app);
    const created = await theirs.owner.post('/api/v1/segments').send(body());
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await mine.owner.get(`/api/v1/segments/${id}`)).status).toBe(404);
    expect((await mine.owner.get(`/api/v1/segments/${id}/members`)).status).toBe(404);
    expect((await mine.owner.patch(`/api/v1/segments/${id}`).send({ name: 'Mine' })).status).toBe(404);
    expect((await mine.owner.delete(`/api/v1/segments/${id}`)).status).toBe(404);
    expect((await mine.owner.get('/api/v1/segments')).body.items).toEqual([]);
    expect((await theirs.owner.get(`/api/v1/segments/${id}`)).body.status).toBe('active');
  });

  it('lets readers read and only programs.manage write', async () => {
    const tenant = await newTenant(app);
    const cashier = await newStaff(app, tenant, 'cashier');
    const marketer = await newStaff(app, tenant, 'marketer');
    expect((await cashier.agent.post('/api/v1/segments').send(body())).status).toBe(403);
    const created = await marketer.agent.post('/api/v1/segments').send(body());
    expect(created.status).toBe(201);
    expect((await cashier.agent.get(`/api/v1/segments/${created.body.id}`)).status).toBe(200);
    expect((await cashier.agent.delete(`/api/v1/segments/${created.body.id}`)).status).toBe(403);
    expect((await app.http.get('/api/v1/segments')).status).toBe(401);
  });

  describe('refuses bad rules naming the field, and stores nothing', () => {
    const store = randomUUID();
    const cases: [string, unknown, string][] = [
      ['a month 13', all({ type: 'birthday_month', months: [13] }), 'body.rules.conditions.0.months.0'],
      ['an unknown type', all({ type: 'age', min: 3 }), 'body.rules.conditions.0.type'],
      ['an unknown key', all({ type: 'consent', marketing: true, email: true }), 'body.rules.conditions.0'],
      ['a misspelt match', { match: 'every', conditions: [] }, 'body.rules.match'],
      ['no conditions list', { match: 'all' }, 'body.rules.conditions'],
      ['spend without bounds', all({ type: 'spend', withinDays: 30 }), 'body.rules.conditions.0.min'],
      ['spend max below min', all({ type: 'spend', withinDays: 30, min: 10, max: 5 }), 'body.rules.conditions.0.max'],
      ['visits without a window', all({ type: 'visits', min: 1 }), 'body.rules.conditions.0.withinDays'],
      ['an rfm score of 6', all({ type: 'rfm', r: { min: 6 } }), 'body.rules.conditions.0.r.min'],
      ['rfm without scores', all({ type: 'rfm' }), 'body.rules.conditions.0.r'],
      ['bought nothing', all({ type: 'bought', withinDays: 30 }), 'body.rules.conditions.0.skus'],
      ['an empty tier list', all({ type: 'tier', tiers: [] }), 'body.rules.conditions.0.tiers'],
      ['an unknown stage', all({ type: 'lifecycle', stages: ['loyal'] }), 'body.rules.conditions.0.stages.0'],
      ['a store that is not an id', all({ type: 'store', stores: ['S1'] }), 'body.rules.conditions.0.stores.0'],
      ['a negate that is not a boolean', all({ type: 'consent', marketing: true, negate: 'yes' }), 'body.rules.conditions.0.negate'],
      ['tags without any or all', all({ type: 'tags' }), 'body.rules.conditions.0.any'],
      ['joined 0 days', all({ type: 'joined', withinDays: 0 }), 'body.rules.conditions.0.withinDays'],
      ['an unknown tier code', all({ type: 'consent', marketing: true }, { type: 'tier', tiers: ['member', 'platinum'] }), 'body.rules.conditions.1.tiers.1'],
      ['another tenant’s store', all({ type: 'store', stores: [store] }), 'body.rules.conditions.0.stores.0'],
    ];

    it.each(cases)('%s', async (_, rules, path) => {
      const tenant = await newTenant(app);
      const created = await tenant.owner.post('/api/v1/segments').send(body({ rules }));
      expect(created.status, JSON.stringify(created.body)).toBe(400);
      expect(created.type).toBe(PROBLEM);
      expect(pathsOf(created.body)).toContain(path);
      const previewed = await tenant.owner.post('/api/v1/segments/preview').send({ rules });
      expect(previewed.status).toBe(400);
      expect(pathsOf(previewed.body)).toContain(path);
      expect((await tenant.owner.get('/api/v1/segments')).body.items).toEqual([]);
    });

    it('refuses a bad code', async () => {
      const tenant = await newTenant(app);
      const res = await tenant.owner.post('/api/v1/segments').send(body({ code: 'no spaces' }));
      expect(res.status).toBe(400);
      expect(pathsOf(res.body)).toEqual(['body.code']);
    });
  });
});

describe('promotions for a segment', () => {
  it('applies only to members in the segment, and refuses unknown segment codes', async () => {
    const tenant = await newTenant(app);
    const store = await newStore(tenant);
    const vip = await newMember(tenant);
    await tenant.owner.patch(`/api/v1/members/${vip.id}`).send({ tags: ['vip'] });
    const other = await newMember(tenant);

    const unknown = await tenant.owner.post('/api/v1/promotions').send({
      name: 'VIP 10%', startsAt: new Date(Date.now() - 3600e3).toISOString(), endsAt: new Date(Date.now() + 86400e3).toISOString(),
      conditions: { segments: ['vip'] }, effect: { type: 'percent_off', value: 10 },
    });
    expect(unknown.status).toBe(400);
    expect(pathsOf(unknown.body)).toEqual(['body.conditions.segments.0']);

    const segment = await tenant.owner.post('/api/v1/segments').send({ code: 'vip', name: 'VIP', rules: all({ type: 'tags', any: ['vip'] }) });
    expect(segment.status).toBe(201);
    const promotion = await newPromotion(tenant, { conditions: { segments: ['vip'] }, effect: { type: 'percent_off', value: 10 } });

    const cart = { channel: 'store', storeId: store.id, items: [{ sku: 'A', quantity: 1, unitPrice: rupiah(100_000) }] };
    const inside = await evaluate(tenant.owner, { ...cart, memberId: vip.id });
    expect(inside.status, JSON.stringify(inside.body)).toBe(200);
    expect(inside.body.discounts).toEqual([expect.objectContaining({ source: 'promotion', id: promotion.id, amount: rupiah(10_000) })]);
    const outside = await evaluate(tenant.owner, { ...cart, memberId: other.id });
    expect(outside.body.discounts).toEqual([]);
    const guest = await evaluate(tenant.owner, cart);
    expect(guest.body.discounts).toEqual([]);

    // Archived, the segment no longer lets the promotion apply.
    expect((await tenant.owner.delete(`/api/v1/segments/${segment.body.id}`)).status).toBe(204);
    expect((await evaluate(tenant.owner, { ...cart, memberId: vip.id })).body.discounts).toEqual([]);
  });
});
