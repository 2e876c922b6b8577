import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { repoRoot } from '../../api/src/config.ts';
import { runScheduledAutomations } from '../../api/src/automations/automations.jobs.ts';
import { verifyLedger } from '../../api/src/ledger/verify.ts';
import { newMember, newTenant } from '../support/factories.ts';
import { jakarta } from '../support/points.ts';
import { concurrent, raceAppEnv } from '../support/race-scale.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('the race suite needs DATABASE_URL (PostgreSQL)');
  app = await createTestApp(raceAppEnv());
});
afterAll(() => app?.close());

const MEMBERS = 80;
const AT = jakarta(2027, 5, 10, 9);

async function counts(tenantId: string, automationId: string) {
  const { rows } = await sql<{ runs: number; bonuses: number; members: number }>`
    select (select count(*)::int from automation_runs where tenant_id = ${tenantId} and automation_id = ${automationId}) as runs,
           (select count(*)::int from point_entries where tenant_id = ${tenantId} and kind = 'bonus' and reference = ${`automation:${automationId}`}) as bonuses,
           (select count(distinct account_id)::int from point_entries where tenant_id = ${tenantId} and kind = 'bonus' and reference = ${`automation:${automationId}`}) as members`
    .execute(app.deps.db);
  return rows[0];
}

/**
 * Starts the birthday job in a child process and, once it has done `after` more members, kills it
 * (SIGKILL) inside the next member's transaction: its effects written, not committed.
 */
async function killMidRun(tenantId: string, automationId: string, after: number) {
  const start = (await counts(tenantId, automationId)).runs;
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/race/automation-birthday.child.ts'), tenantId, AT.toISOString(), '40'], {
    cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let armed = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (armed && chunk.toString().includes('pause')) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 45_000;
  while ((await counts(tenantId, automationId)).runs < start + after) {
    if (child.exitCode !== null) throw new Error(`the job ended before it was killed: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`the job made no progress: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  armed = true;
  expect(await exited).toBe('SIGKILL');
}

it('a birthday bonus happens exactly once per member when the job is killed mid-run three times and run again', async () => {
  const tenant = await newTenant(app);
  const automation = (await tenant.owner.post('/api/v1/automations')
    .send({ name: 'Ulang tahun', trigger: { kind: 'birthday' }, points: 100, voucher: { kind: 'percent', value: 10, validDays: 30 } })
    .expect(201)).body as { id: string };
  for (let i = 0; i < MEMBERS; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, MEMBERS - i) }, () => newMember(tenant, { birthDate: '1990-05-10' })));
  }

  for (let kill = 1; kill <= 3; kill++) {
    await killMidRun(tenant.id, automation.id, 8);
    // Whatever was cut off rolled back whole: every run has its bonus (and voucher), and nobody has two.
    const after = await counts(tenant.id, automation.id);
    expect(after.runs).toBeLessThan(MEMBERS);
    expect(after.bonuses).toBe(after.runs);
    expect(after.members).toBe(after.runs);
  }

  // Run again, twice (× the race scale) at once and once more: the rest get theirs, nobody a second one.
  await Promise.all(Array.from({ length: concurrent(2) }, (_, i) => runScheduledAutomations(app.deps.db, AT, { tenantId: tenant.id, ...(i % 2 ? {} : { batch: 7 }) })));
  await runScheduledAutomations(app.deps.db, AT, { tenantId: tenant.id });
  expect(await counts(tenant.id, automation.id)).toEqual({ runs: MEMBERS, bonuses: MEMBERS, members: MEMBERS });
  const perMember = await sql<{ n: number }>`
    select count(e.id)::int as n from point_accounts a
    left join point_entries e on e.tenant_id = a.tenant_id and e.account_id = a.id and e.kind = 'bonus' and e.reference = ${`automation:${automation.id}`}
    where a.tenant_id = ${tenant.id} group by a.id`.execute(app.deps.db);
  expect(perMember.rows.map((r) => r.n)).toEqual(Array(MEMBERS).fill(1));
  const vouchers = await sql<{ n: number }>`select count(*)::int as n from vouchers where tenant_id = ${tenant.id}`.execute(app.deps.db);
  expect(vouchers.rows[0].n).toBe(MEMBERS);
  expect((await verifyLedger(app.deps.db, { tenantId: tenant.id })).violations).toEqual([]);
});
