import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// `npm run chaos` found it: a PostgreSQL restart (`pg_ctl stop -m immediate`) killed the server,
// because a lost connection is an 'error' event that nobody listened to.
let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp();
});
afterAll(() => app?.close());

it('survives losing a connection mid-transaction: the transaction fails, the server keeps answering', async () => {
  const db = app.deps.db;
  await expect(
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      await sql`select pg_terminate_backend(${rows[0].pid})`.execute(db);
      // Between two queries, as a service awaiting other work: the socket closes now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 1`.execute(trx);
    }),
  ).rejects.toThrow();

  const health = await app.http.get('/api/health');
  expect(health.status).toBe(200);
  const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
  expect(rows[0].one).toBe(1);
});

it('survives losing idle connections', async () => {
  const db = app.deps.db;
  // Four of this pool's own connections (only these: other files share the database), then idle.
  const pids = await Promise.all(Array.from({ length: 4 }, () =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(trx);
      return rows[0].pid;
    })));
  await sql`select pg_terminate_backend(pid) from unnest(${pids}::int[]) as pid where pid <> pg_backend_pid()`.execute(db);
  await new Promise((resolve) => setTimeout(resolve, 300));

  const health = await app.http.get('/api/health');
  expect(health.status).toBe(200);
});
