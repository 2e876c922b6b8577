import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { isValidLuhn } from '../../api/src/cards/luhn.ts';
import { AlreadySeeded, expectedCounts, seedScale } from '../../scripts/scale/seed-scale-data.ts';
import { raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// seed:scale's bulk SQL is PostgreSQL-only (issue 12), hence the race project, which needs DATABASE_URL.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

it('seeds a small scale retailer whose ledger verifies and whose members the app finds', async () => {
  const slug = `scale-${randomBytes(4).toString('hex')}`;
  const options = { members: 200, entries: 2_000, slug, ownerEmail: `${slug}@scale.test`, ownerPassword: 'scale-test-password', chunk: 64 };
  const seeded = await seedScale(app.deps.db, app.deps.config, options);

  const expected = expectedCounts(200, 2_000);
  expect(seeded).toMatchObject({ members: 200, entries: expected.entries, lots: expected.lots, transactions: expected.transactions });
  expect(expected.entries).toBeGreaterThan(1_900);
  expect(await verifyLedger(app.deps.db, { tenantId: seeded.tenantId })).toEqual({ accounts: 200, violations: [] });

  const { rows } = await sql<{ cards: number; due: number; ids_in_order: boolean }>`
    select (select count(*)::int from cards where tenant_id = ${seeded.tenantId} and status = 'active') as cards,
           (select count(*)::int from point_lots where tenant_id = ${seeded.tenantId} and remaining > 0 and expires_at <= now()) as due,
           (select bool_and(ok) from (
              select (id > lag(id) over w) is not false and (created_at > lag(created_at) over w) is not false as ok
              from point_entries where tenant_id = ${seeded.tenantId} window w as (partition by account_id order by id)) s) as ids_in_order`.execute(app.deps.db);
  expect(rows[0]).toMatchObject({ cards: 200, ids_in_order: true });
  expect(rows[0].due).toBeGreaterThan(0);
  const numbers = await app.deps.db.selectFrom('cards').select('number').where('tenant_id', '=', seeded.tenantId).execute();
  expect(numbers.filter((c) => !c.number.startsWith('7') || !isValidLuhn(c.number))).toEqual([]);

  // Through the API as the seeded owner: the search finds a member by typed card number, phone and name.
  const member = await app.deps.db.selectFrom('members as m').innerJoin('cards as c', (j) => j.onRef('c.member_id', '=', 'm.id').onRef('c.tenant_id', '=', 'm.tenant_id'))
    .innerJoin('point_accounts as a', (j) => j.onRef('a.member_id', '=', 'm.id').onRef('a.tenant_id', '=', 'm.tenant_id'))
    .select(['m.id', 'm.phone', 'c.number', 'a.balance']).where('m.tenant_id', '=', seeded.tenantId).orderBy('m.id').limit(1).executeTakeFirstOrThrow();
  const owner = app.agent();
  await owner.post('/api/v1/auth/login').send({ email: options.ownerEmail, password: options.ownerPassword }).expect(200);
  const byCard = await owner.get('/api/v1/members').query({ query: member.number.replace(/(\d{4})(?=\d)/g, '$1 ') }).expect(200);
  expect(byCard.body.items.map((m: { id: string }) => m.id)).toEqual([member.id]);
  const byPhone = await owner.get('/api/v1/members').query({ query: `0${member.phone.slice(3)}` }).expect(200);
  expect(byPhone.body.items.map((m: { id: string }) => m.id)).toEqual([member.id]);
  const name = await app.deps.db.selectFrom('members').select('name').where('tenant_id', '=', seeded.tenantId).where('id', '=', member.id).executeTakeFirstOrThrow();
  const [first, second] = name.name.split(' ');
  const byName = await owner.get('/api/v1/members').query({ query: `${first} ${second}` }).expect(200);
  expect(byName.body.items.map((m: { id: string }) => m.id)).toContain(member.id);
  const detail = await owner.get(`/api/v1/members/${member.id}`).expect(200);
  expect(detail.body.points.balance).toBe(Number(member.balance));

  await expect(seedScale(app.deps.db, app.deps.config, options)).rejects.toBeInstanceOf(AlreadySeeded);
});
