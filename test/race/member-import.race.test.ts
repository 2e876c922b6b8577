import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const MAPPING = { phone: 'Telepon', name: 'Nama', openingPoints: 'Poin', externalId: 'ID' };

async function finished(tenant: Tenant, id: string) {
  for (;;) {
    const res = await tenant.owner.get(`/api/v1/imports/${id}`).expect(200);
    if (res.body.status !== 'processing') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('credits each opening balance exactly once when the same file is uploaded twice at the same time', async () => {
  const tenant = await newTenant(app);
  const existing = await newMember(tenant);
  const rows = Array.from({ length: 300 }, (_, i) => `X-${i},Anggota ${i},${i === 0 ? existing.phone : newPhone()},${i + 1}`);
  const csv = ['ID,Nama,Telepon,Poin', ...rows].join('\n');
  const uploads = await Promise.all(Array.from({ length: concurrent(3) }, () => tenant.owner.post('/api/v1/imports/members').query(MAPPING).set('Content-Type', 'text/csv').send(csv)));
  for (const res of uploads) expect(res.status, JSON.stringify(res.body)).toBe(202);
  const results = await Promise.all(uploads.map((res) => finished(tenant, res.body.id)));
  for (const done of results) expect(done).toMatchObject({ status: 'done', rowsProcessed: 300, failed: 0 });
  // Every row became (or was) a member once; all the uploads together created each new member once.
  expect(results.reduce((n, r) => n + r.created, 0)).toBe(299);

  const expected = (300 * 301) / 2;
  const { rows: sums } = await sql<{ openings: string; points: string; balance: string; keys: string }>`
    select (select count(*) from point_entries where tenant_id = ${tenant.id} and kind = 'opening') as openings,
           (select coalesce(sum(points), 0) from point_entries where tenant_id = ${tenant.id} and kind = 'opening') as points,
           (select coalesce(sum(balance), 0) from point_accounts where tenant_id = ${tenant.id}) as balance,
           (select count(*) from member_opening_balances where tenant_id = ${tenant.id}) as keys`.execute(app.deps.db);
  expect(sums[0]).toEqual({ openings: 300, points: expected, balance: expected + existing.points.balance, keys: 300 });
  const { rows: members } = await sql<{ n: string }>`select count(*) as n from members where tenant_id = ${tenant.id}`.execute(app.deps.db);
  expect(Number(members[0].n)).toBe(300);
  expect(await verifyLedger(app.deps.db, { tenantId: tenant.id })).toEqual({ accounts: 300, violations: [] });
});

it('two workers of one stopped import (a resume beside the first worker) take turns and count each row once', async () => {
  const tenant = await newTenant(app);
  const { stageMemberImport, processMemberImport } = await import('../../api/src/imports/imports.service.ts');
  const { Readable } = await import('node:stream');
  const csv = ['ID,Nama,Telepon,Poin', ...Array.from({ length: 12_000 }, (_, i) => `Y-${i},Anggota ${i},${newPhone()},1`)].join('\n');
  const principal = { kind: 'staff' as const, tenantId: tenant.id, id: tenant.ownerId, role: 'owner' as const, storeId: null, sessionId: 'race' };
  const staged = await stageMemberImport(app.deps.db, principal, { body: Readable.from([Buffer.from(csv)]), fileName: 'big.csv', mapping: MAPPING });
  const owner = { tenantId: tenant.id, actor: { actor_kind: 'staff', actor_id: tenant.ownerId } };
  await Promise.all(Array.from({ length: concurrent(3) }, () => processMemberImport(app.deps.db, app.deps.config.secretKey, owner, staged.id)));
  const done = await finished(tenant, staged.id);
  // Random phones may repeat within the file (rejected when staged): every row is still processed exactly once.
  expect(done).toMatchObject({ status: 'done', rowsTotal: 12_000, rowsProcessed: 12_000 });
  expect(done.created + done.failed).toBe(12_000);
  const { rows } = await sql<{ points: number }>`select coalesce(sum(points), 0) as points from point_entries where tenant_id = ${tenant.id}`.execute(app.deps.db);
  expect(rows[0].points).toBe(done.created);
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});
