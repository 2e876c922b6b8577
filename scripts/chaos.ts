// `npm run chaos`: sustained sales, points redemptions and voucher uses from retrying clients while
// the API is SIGKILLed and restarted and PostgreSQL is stopped with `pg_ctl stop -m immediate`,
// on a throwaway cluster; then the ledger check and the crash invariants. Exits 1 on a violation.
// CHAOS_SECONDS (default 60), CHAOS_CLIENTS (8), CHAOS_MEMBERS (40). Then the race suite on the same
// cluster, KARTU_RACE_SCALE=CHAOS_RACE_SCALE (4), CHAOS_RACE_REPEATS (3) times; CHAOS_RACES=off skips it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../api/src/config.ts';
import { superviseApi, type ApiProcess } from './chaos/api-process.ts';
import { ensureApiBuilt } from './lib/api-build.mjs';
import { checkInvariants } from './chaos/checks.ts';
import { createCluster, type Cluster } from './chaos/cluster.ts';
import { runLoad } from './chaos/load.ts';
import { freshDatabase, runRaces, stopRaces, type RaceRun } from './chaos/races.ts';
import { seedRetailer } from './chaos/seed.ts';

const seconds = Number(process.env.CHAOS_SECONDS ?? 60);
const clients = Number(process.env.CHAOS_CLIENTS ?? 8);
const members = Number(process.env.CHAOS_MEMBERS ?? 40);
const PG_CRASHES = 2;
const races = process.env.CHAOS_RACES !== 'off';
const raceScale = wholeNumber('CHAOS_RACE_SCALE', 4, 50);
const raceRepeats = wholeNumber('CHAOS_RACE_REPEATS', 3, 100);

function wholeNumber(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let cluster: Cluster | null = null;
let api: ApiProcess | null = null;
async function cleanUp() {
  stopRaces();
  await api?.stop().catch(() => undefined);
  api = null;
  if (!cluster) return;
  cluster.destroy();
  cluster = null;
  log('stopped the API and the throwaway cluster, removed its data folder');
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanUp().finally(() => process.exit(130)));
}

/** Blows until `until`: the API killed, and PostgreSQL crashed on every other blow until PG_CRASHES; each waits for the API to be healthy again. */
async function chaosLoop(until: number, stats: { apiKills: number; pgCrashes: number; slowRecoveries: number }) {
  for (let blow = 0; Date.now() < until - 2000; blow++) {
    await sleep(2000 + Math.random() * 2000);
    if (blow % 2 === 1 && stats.pgCrashes < PG_CRASHES) {
      log('PostgreSQL: pg_ctl stop -m immediate');
      cluster!.crash();
      stats.pgCrashes++;
      await sleep(2000);
      cluster!.start();
      log('PostgreSQL started again');
    } else {
      log('API: SIGKILL');
      api!.kill();
      stats.apiKills++;
    }
    if (!(await api!.waitHealthy(60_000))) {
      stats.slowRecoveries++;
      log('API not healthy 60 s after the last blow');
    }
  }
}

async function main(): Promise<number> {
  const [pgPort, apiPort] = [await freePort(), await freePort()];
  log(`throwaway PostgreSQL cluster on 127.0.0.1:${pgPort} (initdb, fsync on)`);
  cluster = createCluster(pgPort);
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await ensureApiBuilt();
  api = superviseApi(repoRoot, {
    DATABASE_URL: cluster.url,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    KARTU_SECRET_KEY: randomBytes(32).toString('base64url'),
    KARTU_DEMO: 'off',
    KARTU_SIGNUP: 'on',
    LOG_LEVEL: 'warn',
  }, baseUrl);
  if (!(await api.waitHealthy(180_000))) throw new Error('the API did not start in 180 s');
  log(`API up on ${baseUrl}`);

  const seed = await seedRetailer(baseUrl, { members, singleUseCodes: 120, multiCodeLimit: 40, openingPoints: 500 });
  log(`seeded: ${seed.memberIds.length} members with ${seed.openingPoints} points, ${seed.singleUseCodes.length} single-use codes, code ${seed.multiCode} limited to ${seed.multiCodeLimit} uses`);

  const started = Date.now();
  const until = started + seconds * 1000;
  let drainDeadline = Infinity;
  log(`load: ${clients} clients for ${seconds} s, with chaos`);
  const loadDone = runLoad(baseUrl, seed, clients, () => Date.now() >= until, () => Date.now() >= drainDeadline);
  const chaos = { apiKills: 0, pgCrashes: 0, slowRecoveries: 0 };
  await chaosLoop(until, chaos);
  await sleep(Math.max(0, until - Date.now()));
  log('chaos over: waiting for the API and for every client to get its last answer');
  const healthy = await api.waitHealthy(120_000);
  drainDeadline = Date.now() + 120_000;
  const load = await loadDone;

  const verify = spawnSync('npm', ['run', '--silent', 'ledger:verify'], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: cluster.url }, encoding: 'utf8' });
  const checks = await checkInvariants(cluster.url, seed, load);

  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  console.log('\n== what it did');
  console.log(`  ${seconds} s of load from ${clients} clients; API SIGKILLed ${chaos.apiKills}×, PostgreSQL stopped (immediate) and restarted ${chaos.pgCrashes}×`);
  console.log(`  API starts ${api.stats.starts}; exits not caused by a kill: ${api.stats.unexpectedExits}`);
  for (const line of api.stats.lastUnexpected.slice(-5)) console.log(`    ${line.slice(0, 400)}`);
  console.log(`  requests: ${total(load.sent)} sent (sales ${load.sent.sale}, redemptions ${load.sent.redemption}, voucher uses ${load.sent.voucher}); ${load.attempts} attempts, ${load.retries} retries with the same key`);
  console.log(`  acknowledged: sales ${load.acked.sale}, redemptions ${load.acked.redemption}, voucher uses ${load.acked.voucher}; unresolved ${load.unresolved}`);
  console.log(`  definitive refusals: ${Object.entries(load.refused).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`);
  console.log('\n== what it checked');
  const verifyOut = `${verify.stdout}${verify.stderr}`.trim().split('\n').filter((l) => !l.startsWith('>')).join('\n    ');
  console.log(`  ${verify.status === 0 ? '✓' : '✗'} ledger:verify (exit ${verify.status}): ${verifyOut}`);
  for (const check of checks) {
    console.log(`  ${check.violations.length ? '✗' : '✓'} ${check.name}: ${check.checked} checked`);
    for (const v of check.violations.slice(0, 10)) console.log(`      ${v}`);
  }
  const findings = [
    ...load.anomalies,
    ...(healthy ? [] : ['the API was not healthy 120 s after the chaos ended']),
    ...(chaos.slowRecoveries ? [`the API took over 60 s to recover ${chaos.slowRecoveries}×`] : []),
  ];
  for (const f of findings.slice(0, 20)) console.log(`  ✗ ${f}`);
  const failed = verify.status !== 0 || checks.some((c) => c.violations.length) || findings.length > 0 || load.unresolved > 0;
  console.log(failed ? '\nchaos: VIOLATIONS found' : '\nchaos: every invariant holds');

  const raceRuns = races ? await racePhase(cluster.url) : [];
  const racesFailed = raceRuns.some((run) => run.failed > 0);
  if (races) console.log(racesFailed ? '\nraces: FAILURES' : '\nraces: every repetition passed');
  return failed || racesFailed ? 1 : 0;
}

/** The race suite at KARTU_RACE_SCALE=raceScale, raceRepeats times, on a fresh database of the cluster (the API stopped). */
async function racePhase(clusterUrl: string): Promise<RaceRun[]> {
  await api?.stop();
  api = null;
  const url = await freshDatabase(clusterUrl, 'kartu_races');
  const logFile = join(tmpdir(), `kartu-chaos-races-${process.pid}.log`);
  console.log('\n== races');
  log(`race suite ×${raceRepeats}, KARTU_RACE_SCALE=${raceScale}, on database kartu_races of the cluster; vitest output in ${logFile}`);
  return runRaces(repoRoot, url, {
    scale: raceScale,
    repeats: raceRepeats,
    logFile,
    onRun: (run) => {
      console.log(`  ${run.failed ? '✗' : '✓'} repetition ${run.repetition}/${raceRepeats}: ${run.passed} passed, ${run.failed} failed${run.skipped ? `, ${run.skipped} skipped` : ''} (${run.seconds} s)`);
      for (const failure of run.failures.slice(0, 10)) console.log(`      ${failure}`);
    },
  });
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanUp();
}
process.exit(code);
