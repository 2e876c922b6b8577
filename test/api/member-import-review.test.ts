import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { processBatch } from '../../api/src/imports/import-batch.ts';
import * as importsRepo from '../../api/src/imports/imports.repository.ts';
import { importHousekeeping, stageMemberImport } from '../../api/src/imports/imports.service.ts';
import { runLedgerJobs } from '../../api/src/jobs/scheduler.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import type { Principal } from '../../api/src/shared/principal.ts';
import { getTenant } from '../../api/src/tenants/tenants.service.ts';
import { newPhone, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const MAPPING = { phone: 'Telepon', name: 'Nama', openingPoints: 'Poin', email: 'Email' };
const DAY = 86400e3;

async function finished(tenant: Tenant, id: string) {
  for (;;) {
    const res = await tenant.owner.get(`/api/v1/imports/${id}`).expect(200);
    if (res.body.status !== 'processing') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function importFile(tenant: Tenant, csv: string) {
  const res = await tenant.owner.post('/api/v1/imports/members').query(MAPPING).set('Content-Type', 'text/csv').send(csv);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return finished(tenant, res.body.id);
}

const ownerPrincipal = (tenant: Tenant): Principal => ({ kind: 'staff', tenantId: tenant.id, id: tenant.ownerId, role: 'owner', storeId: null, sessionId: 'test' });

/** What a server that stopped mid-import leaves: the file staged, the first `worked` rows worked, the rest not. */
async function stoppedImport(tenant: Tenant, csv: string, worked: number) {
  const staged = await stageMemberImport(app.deps.db, ownerPrincipal(tenant), { body: Readable.from([Buffer.from(csv)]), fileName: 'stopped.csv', mapping: MAPPING });
  const context = { tenant: await getTenant(app.deps.db, tenant.id), importId: staged.id, secretKey: app.deps.config.secretKey, actor: { actor_kind: 'staff', actor_id: tenant.ownerId } };
  await app.deps.db.transaction().execute(async (trx) => {
    const rows = await importsRepo.validRowsAfter(trx, tenant.id, staged.id, 0, worked);
    await importsRepo.addProgress(trx, tenant.id, staged.id, await processBatch(trx, context, rows));
  });
  // Quiet for ten minutes: the worker is gone.
  await sql`update member_imports set progress_at = now() - interval '10 minutes' where tenant_id = ${tenant.id} and id = ${staged.id}`.execute(app.deps.db);
  return staged.id;
}

async function balances(tenantId: string) {
  const { rows } = await sql<{ balance: string; entries: string; openings: string }>`
    select (select coalesce(sum(balance), 0) from point_accounts where tenant_id = ${tenantId}) as balance,
           (select coalesce(sum(points), 0) from point_entries where tenant_id = ${tenantId} and bucket = 'balance') as entries,
           (select count(*) from point_entries where tenant_id = ${tenantId} and kind = 'opening') as openings`.execute(app.deps.db);
  return { balance: Number(rows[0].balance), entries: Number(rows[0].entries), openings: Number(rows[0].openings) };
}

const fileOf = (n: number) => ['Nama,Telepon,Poin,Email', ...Array.from({ length: n }, (_, i) => `Anggota ${i},${newPhone()},${(i + 1) * 10},`)].join('\n');

describe('member import review', () => {
  it('resumes an import a stopped server left processing at start-up, shows it stalled meanwhile, and works no row twice', async () => {
    const tenant = await newTenant(app);
    const id = await stoppedImport(tenant, fileOf(5), 2);
    const stalled = (await tenant.owner.get(`/api/v1/imports/${id}`).expect(200)).body;
    expect(stalled).toMatchObject({ status: 'processing', stalled: true, rowsTotal: 5, rowsProcessed: 2, created: 2, errorsAvailableUntil: null });

    // What main.ts does at start-up.
    await importHousekeeping(app.deps.db, { db: app.deps.db, log: app.deps.log, secretKey: app.deps.config.secretKey }, new Date(), { resumeAll: true });
    const done = await finished(tenant, id);
    expect(done).toMatchObject({ status: 'done', stalled: false, rowsTotal: 5, rowsProcessed: 5, created: 5, updated: 0, skipped: 0, failed: 0, percent: 100 });
    expect(await balances(tenant.id)).toEqual({ balance: 150, entries: 150, openings: 5 });
    expect(await verifyLedger(app.deps.db, { tenantId: tenant.id })).toEqual({ accounts: 5, violations: [] });
  });

  it('resumes a stalled import from the housekeeping job, and fails an upload that was never read to the end', async () => {
    const tenant = await newTenant(app);
    const id = await stoppedImport(tenant, fileOf(3), 1);
    // An upload cut off by the stop: the import row exists, the file was never read to the end.
    const cut = '01900000-0000-7000-8000-000000000001';
    await app.deps.db.insertInto('member_imports').values({
      tenant_id: tenant.id, id: cut, file_name: 'cut.csv', headers: ['Telepon'], mapping: JSON.stringify({ phone: 'Telepon' }), actor_kind: 'staff', actor_id: tenant.ownerId,
      created_at: new Date(Date.now() - 3600e3),
    }).execute();
    await runLedgerJobs(app.deps);
    expect(await finished(tenant, id)).toMatchObject({ status: 'done', rowsProcessed: 3, created: 3 });
    expect((await tenant.owner.get(`/api/v1/imports/${cut}`).expect(200)).body).toMatchObject({ status: 'failed', error: expect.stringMatching(/interrupted/) });
    expect(await balances(tenant.id)).toEqual({ balance: 60, entries: 60, openings: 3 });
  });

  it('two workers of one import count each row once', async () => {
    const tenant = await newTenant(app);
    const id = await stoppedImport(tenant, fileOf(4), 0);
    const { processMemberImport } = await import('../../api/src/imports/imports.service.ts');
    const owner = { tenantId: tenant.id, actor: { actor_kind: 'staff', actor_id: tenant.ownerId } };
    await Promise.all([processMemberImport(app.deps.db, app.deps.config.secretKey, owner, id), processMemberImport(app.deps.db, app.deps.config.secretKey, owner, id)]);
    expect(await finished(tenant, id)).toMatchObject({ status: 'done', rowsProcessed: 4, created: 4, skipped: 0 });
    expect(await balances(tenant.id)).toEqual({ balance: 100, entries: 100, openings: 4 });
  });

  it('deletes the staged rows 7 days after the import finished; errors.csv then answers 410', async () => {
    const tenant = await newTenant(app);
    const done = await importFile(tenant, ['Nama,Telepon,Poin,Email', `Ani,${newPhone()},10,`, `Budi,${newPhone()},5,bukan-email`].join('\n'));
    expect(done).toMatchObject({ created: 1, failed: 1, rowsDeleted: false });
    expect(Date.parse(done.errorsAvailableUntil) - Date.parse(done.finishedAt)).toBe(7 * DAY);

    await runLedgerJobs(app.deps, new Date(Date.now() + 6 * DAY));
    const kept = await tenant.owner.get(`/api/v1/imports/${done.id}/errors.csv`).expect(200);
    expect(parse(kept.text, { columns: true })).toHaveLength(1);

    await runLedgerJobs(app.deps, new Date(Date.now() + 8 * DAY));
    const { rows } = await sql<{ n: string }>`select count(*) as n from member_import_rows where tenant_id = ${tenant.id} and import_id = ${done.id}`.execute(app.deps.db);
    expect(Number(rows[0].n)).toBe(0);
    const gone = await tenant.owner.get(`/api/v1/imports/${done.id}/errors.csv`);
    expect(gone.status).toBe(410);
    expect(gone.type).toBe('application/problem+json');
    expect(gone.body.type).toMatch(/gone$/);
    expect((await tenant.owner.get(`/api/v1/imports/${done.id}`).expect(200)).body).toMatchObject({ status: 'done', created: 1, failed: 1, rowsDeleted: true });
  });

  it('neutralises formulas in the exports and the error report, keeping phones and numbers as they are', async () => {
    const tenant = await newTenant(app);
    const phone = newPhone();
    const done = await importFile(tenant, ['Nama,Telepon,Poin,Email', `"=HYPERLINK(""http://evil"",""x"")",${phone},10,`, `@SUM(1),${newPhone()},5,=1+2`].join('\n'));
    expect(done).toMatchObject({ created: 1, failed: 1 });
    const members = parse((await tenant.owner.get('/api/v1/exports/members.csv').expect(200)).text, { columns: true }) as Record<string, string>[];
    expect(members[0].name).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(members[0].phone).toBe(`+62${phone.slice(1)}`);
    const member = members[0];
    await tenant.owner.post(`/api/v1/members/${member.id}/points/adjustments`).send({ points: -3, reason: '-cmd|calc' }).expect(201);
    const ledger = parse((await tenant.owner.get('/api/v1/exports/ledger.csv').expect(200)).text, { columns: true }) as Record<string, string>[];
    const adjust = ledger.find((e) => e.kind === 'adjust')!;
    expect(adjust.points).toBe('-3');
    expect(adjust.note).toBe(`'-cmd|calc`);
    const errors = parse((await tenant.owner.get(`/api/v1/imports/${done.id}/errors.csv`).expect(200)).text, { columns: true }) as Record<string, string>[];
    expect(errors[0]).toMatchObject({ field: 'email', Nama: `'@SUM(1)`, Email: `'=1+2` });
  });
});
