import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/src/app.ts';
import { repoRoot } from '../../api/src/config.ts';
import { cardCodeOf, newMember, newStore, newTenant, PASSWORD, type Tenant } from '../support/factories.ts';
import { compareAnswer, parseHttp, readGuide, runStep, type GuideStep } from '../support/guide-runner.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// docs/pos-integration.md runs as written: each ```sh block with bash and curl against a listening
// server on a fresh retailer, each answer checked against the ```http block after it.

const steps = readGuide(join(repoRoot, 'docs/pos-integration.md'));
const onPostgres = Boolean(process.env.DATABASE_URL);

let app: TestApp;
let server: Server;
let tenant: Tenant;
let cwd: string;
let overrides: Record<string, string>;
let vars: Record<string, string> = {};

beforeAll(async () => {
  app = await createTestApp();
  server = createServer(createApp(app.deps).app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tenant = await newTenant(app);
  const store = await newStore(tenant);
  const member = await newMember(tenant, { name: 'Siti Rahayu' });
  overrides = {
    KARTU: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    STORE_ID: store.id,
    OWNER_EMAIL: tenant.ownerEmail,
    OWNER_PASSWORD: PASSWORD,
    CODE: await cardCodeOf(app, tenant, member.id),
  };
  cwd = mkdtempSync(join(tmpdir(), 'kartu-guide-'));
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await app?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

async function run(step: GuideStep) {
  const result = await runStep(step.script, { ...vars, ...overrides }, cwd);
  vars = { ...result.vars, ...overrides };
  return result.output;
}

function check(step: GuideStep, output: string) {
  expect(output, step.script).toMatch(/^HTTP\//);
  expect(compareAnswer(parseHttp(step.expected!), parseHttp(output), vars), step.script).toEqual([]);
}

/** Holds the member's points account, so that a sale's transaction waits for it while its key is in progress. */
async function holdMembersAccount() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = app.deps.db.transaction().execute(async (trx) => {
    await sql`select 1 from point_accounts where tenant_id = ${tenant.id} and member_id = ${vars.MEMBER_ID} for update`.execute(trx);
    await released;
  });
  return { release: async () => (release(), await held) };
}

async function untilARequestWaitsOnALock() {
  for (let tries = 0; tries < 100; tries++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike '%point_accounts%'`.execute(app.deps.db);
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the first request never reached the account lock');
}

describe('docs/pos-integration.md', () => {
  it('has the steps this test expects', () => {
    expect(steps.filter((s) => s.expected).length).toBeGreaterThanOrEqual(12);
    expect(steps.every((s) => s.expected || !s.script.includes('curl')), 'every curl block is followed by its answer').toBe(true);
    const slow = steps.findIndex((s) => s.marker === 'slow');
    expect(steps[slow + 1].marker).toBe('while the previous request runs');
  });

  steps.forEach((step, i) => {
    if (step.marker === 'while the previous request runs') return; // run with the slow step before it
    const next = steps[i + 1];
    const url = /"\$KARTU(\/[^"?]*)/.exec(step.script)?.[1];
    const name = `${i + 1}. ${step.section}: ${url ? `${step.script.includes('--data') ? 'POST' : 'GET'} ${url}` : 'variables'}`;

    if (step.marker === 'slow') {
      const alsoRetry = onPostgres ? 'and the same request while it runs is 409 with Retry-After' : 'the retry while it runs is checked on Postgres only';
      it(`${name} — ${alsoRetry}`, async () => {
        if (!onPostgres) {
          // One PGlite connection cannot hold a lock while serving the request.
          check(step, await run(step));
          return;
        }
        const account = await holdMembersAccount();
        const first = run(step);
        let retry;
        try {
          await untilARequestWaitsOnALock();
          retry = await runStep(next.script, { ...vars, ...overrides }, cwd);
        } finally {
          await account.release();
        }
        check(step, await first);
        check(next, retry.output);
      });
      return;
    }

    it(name, async () => {
      const output = await run(step);
      if (step.expected) check(step, output);
    });
  });
});
