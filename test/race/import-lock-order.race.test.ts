import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant, type Tenant } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp();
});
afterAll(() => app?.close());

async function finished(tenant: Tenant, id: string) {
  for (;;) {
    const res = await tenant.owner.get(`/api/v1/imports/${id}`).expect(200);
    if (res.body.status !== 'processing') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Until another session waits for a lock the given backend holds. */
async function someoneWaitsFor(pid: number) {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`.execute(app.deps.db);
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the import never waited for the account lock');
}

// DESIGN.md: writers lock in one order, accounts first. A sale locks the account, then share-locks the
// member row; an import that updated the member row first and then waited for the account would deadlock with it.
it('an import batch waits for a member’s account before it touches the member row, as a sale does', async () => {
  const tenant = await newTenant(app);
  const member = await newMember(tenant);
  const upload = await app.deps.db.transaction().execute(async (sale) => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(sale);
    await sql`select id from point_accounts where tenant_id = ${tenant.id} and member_id = ${member.id} for no key update`.execute(sale);
    const csv = `ID,Nama,Telepon,Poin\nZ-1,Nama Baru,${member.phone},7`;
    const res = await tenant.owner.post('/api/v1/imports/members').query({ phone: 'Telepon', name: 'Nama', openingPoints: 'Poin', externalId: 'ID' })
      .set('Content-Type', 'text/csv').send(csv);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await someoneWaitsFor(rows[0].pid); // the import, on the account this transaction holds
    // The sale's second lock: free, because the import has not updated the member row yet (nowait fails at once otherwise).
    await sql`select id from members where tenant_id = ${tenant.id} and id = ${member.id} for share nowait`.execute(sale);
    return res.body as { id: string };
  });
  expect(await finished(tenant, upload.id)).toMatchObject({ status: 'done', updated: 1, failed: 0 });
  expect((await tenant.owner.get(`/api/v1/members/${member.id}`).expect(200)).body).toMatchObject({ name: 'Nama Baru', points: { balance: member.points.balance + 7 } });
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});
