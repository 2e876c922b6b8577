// `npm run bench` (issue 12): loads the real server over HTTP against PostgreSQL and compares it
// with pgbench on the same database server. Needs DATABASE_URL (a PostgreSQL server; the bench
// creates and drops its own databases there). BENCH_SECONDS per run (default 10), BENCH_CLIENTS
// (default 1,4,16,64), BENCH_PROCESSES=2 adds sales and scans on two API processes sharing one port,
// BENCH_WORKLOADS=sale,scan,evaluate,redeem picks workloads (default all).
// The load generator (autocannon) runs in this process and shares the machine's cores with the
// server and PostgreSQL, so its own CPU time is printed with each run.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDb } from '@kartu/db';
import { cardOfMember } from '../api/src/cards/cards.service.ts';
import { sha256 } from '../api/src/shared/crypto.ts';
import { spawnApi, type ApiChild } from './lib/api-child.ts';
import { ensureApiBuilt } from './lib/api-build.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,4,16,64').split(',').map(Number);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const MEMBERS = 200;
const PGBENCH = process.env.PGBENCH ?? '/usr/bin/pgbench';
const GOALS = { saleShareOfTpcb: 0.5, saleP99Ms: 25, scanShareOfSelect: 0.2, scanP99Ms: 10, clients: 16 };
const run = promisify(execFile);

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl || !/^postgres(ql)?:\/\//.test(serverUrl)) {
  console.error('npm run bench needs DATABASE_URL=postgres://… (a PostgreSQL server: the bench compares with pgbench on it; the embedded PGlite is not benchmarked)');
  process.exit(2);
}
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const kartuDb = `kartu_bench_${suffix}`;
const pgbenchDb = `kartu_pgbench_${suffix}`;
const urlOf = (database: string) => Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const secret = randomBytes(32).toString('base64url');

// ---------- clean-up, also on Ctrl-C and failure ----------
let server: ApiChild | undefined;
const logDir = mkdtempSync(join(tmpdir(), 'kartu-bench-'));
let cleaned = false;
let interrupted = false;
let running: autocannon.Instance | undefined;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  await stopServer();
  rmSync(logDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  for (const name of [kartuDb, pgbenchDb]) await admin.query(`drop database if exists "${name}" with (force)`).catch((e) => console.error(`could not drop ${name}: ${e.message}`));
  await admin.end();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    interrupted = true;
    running?.stop();
    void cleanUp().finally(() => process.exit(130));
  });
}

async function createDatabase(name: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
}

// ---------- the server ----------
async function startServer(processes: number): Promise<string> {
  await ensureApiBuilt();
  server = spawnApi({
    ...process.env,
    DATABASE_URL: urlOf(kartuDb),
    KARTU_SECRET_KEY: secret,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KARTU_DEMO: 'off',
    KARTU_SIGNUP: 'on',
    KARTU_RATE_LIMITS: 'local',
    // All load comes from one IP and one till: the normal limits (600 scans a minute per IP)
    // would turn the bench into a 429 benchmark. Only ever set here.
    KARTU_BENCH_RATE_LIMITS: 'on',
    KARTU_PROCESSES: String(processes),
  }, { processes });
  return server.url;
}

// The server gives in-flight requests up to 10 s; a bench being interrupted need not wait for them.
async function stopServer() {
  const running = server;
  server = undefined;
  await running?.stop();
}

// ---------- seeding through the API ----------
async function call(base: string, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${i + 1}`, name: `Barang ${i + 1}`, category: i % 2 ? 'minuman' : 'sembako', quantity: 1 + (i % 3), unitPrice: (10_000 + i * 2_500) * 100 }));
const VOUCHER = 'HEMAT5';

async function seed(base: string) {
  const signup = await fetch(`${base}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retailerName: 'Toko Bench', email: `owner-${suffix}@bench.kartu`, password: 'bench-password-123', slug: 'bench' }),
  });
  if (signup.status !== 201) throw new Error(`signup → ${signup.status}: ${await signup.text()}`);
  const tenantId = ((await signup.json()) as { tenantId: string }).tenantId;
  const owner = { cookie: signup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  const store = await call(base, 'POST', '/api/v1/stores', { code: 'BENCH', name: 'Toko Bench Pusat' }, owner);
  const { key } = await call(base, 'POST', '/api/v1/api-keys', { name: 'bench till', scopes: ['pos'], storeId: store.id }, owner);
  // A public code with no total limit: every sale checks and applies it.
  await call(base, 'POST', '/api/v1/vouchers/batches', { count: 1, code: VOUCHER, kind: 'amount', value: 5_000 * 100, usesPerCode: null, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }, owner);
  await call(base, 'POST', '/api/v1/rewards', { name: 'Kopi gratis', pointsCost: 100, fulfilment: 'voucher', voucher: { kind: 'amount', value: 20_000 * 100, validDays: 30 } }, owner);
  const memberIds: string[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const member = await call(base, 'POST', '/api/v1/members', { name: `Anggota ${i}`, phone: `0813${String(10_000_000 + i).padStart(8, '0')}` }, owner);
    await call(base, 'POST', `/api/v1/members/${member.id}/points/adjustments`, { points: 1_000_000, reason: 'bench balance' }, owner);
    memberIds.push(member.id);
  }
  // The printed card's signed code, as a scanner would read it off the card (read as the tests do).
  const db = await createDb({ url: urlOf(kartuDb) });
  const codes = [];
  for (const id of memberIds) codes.push((await cardOfMember(db, sha256(secret), tenantId, id)).code);
  await db.destroy();
  return { storeId: store.id as string, auth: { authorization: `Bearer ${key}` }, memberIds, codes };
}
type Seeded = Awaited<ReturnType<typeof seed>>;

// ---------- the load ----------
interface Measured { name: string; clients: number; processes: number; rps: number; p50: number; p99: number; errors: number; cpuPercent: number }
let counter = 0;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];

type Workload = { name: string; kind: 'write' | 'read'; request: (s: Seeded, tokens: string[]) => { method: 'POST'; path: string; body: string; headers?: Record<string, string> } };
const ALL_WORKLOADS: (Workload & { key: string })[] = [
  {
    key: 'sale',
    name: 'POST /transactions (earn, 5 items, voucher)',
    kind: 'write',
    request: (s) => ({ method: 'POST', path: '/api/v1/transactions', headers: { 'idempotency-key': randomUUID() }, body: JSON.stringify({ memberId: pick(s.memberIds), storeId: s.storeId, receiptNo: `B-${suffix}-${++counter}`, items: ITEMS, voucherCodes: [VOUCHER] }) }),
  },
  { key: 'scan', name: 'POST /scan', kind: 'read', request: (s) => ({ method: 'POST', path: '/api/v1/scan', body: JSON.stringify({ code: pick(s.codes), storeId: s.storeId }) }) },
  {
    key: 'evaluate',
    name: 'POST /checkout/evaluate',
    kind: 'read',
    request: (s) => ({ method: 'POST', path: '/api/v1/checkout/evaluate', body: JSON.stringify({ memberId: pick(s.memberIds), channel: 'store', storeId: s.storeId, items: ITEMS, voucherCodes: [VOUCHER] }) }),
  },
  {
    key: 'redeem',
    name: 'POST /members/{id}/points/redemptions',
    kind: 'write',
    request: (s, tokens) => {
      const i = Math.floor(Math.random() * s.memberIds.length);
      return { method: 'POST', path: `/api/v1/members/${s.memberIds[i]}/points/redemptions`, headers: { 'idempotency-key': randomUUID() }, body: JSON.stringify({ points: 1, scanToken: tokens[i] }) };
    },
  },
];
const picked = (process.env.BENCH_WORKLOADS ?? ALL_WORKLOADS.map((w) => w.key).join(',')).split(',');
for (const key of picked) {
  if (!ALL_WORKLOADS.some((w) => w.key === key)) {
    console.error(`BENCH_WORKLOADS: unknown workload "${key}" (one of ${ALL_WORKLOADS.map((w) => w.key).join(', ')})`);
    process.exit(2);
  }
}
const WORKLOADS = ALL_WORKLOADS.filter((w) => picked.includes(w.key));

/** A fresh process compiles its routes and queries on first use: every workload a few hundred times, not measured. */
async function warmUp(base: string, seeded: Seeded, workloads: Workload[]) {
  for (const workload of workloads) await load(base, seeded, workload, 4, 1, { amount: 400 });
}

async function load(base: string, seeded: Seeded, workload: Workload, clients: number, processes: number, limit: { amount?: number } = {}): Promise<Measured> {
  // Spending needs a scan of the member at this store within 5 minutes: fresh tokens for every run.
  const tokens = workload.name.includes('redemptions') ? await Promise.all(seeded.codes.map(async (code) => (await call(base, 'POST', '/api/v1/scan', { code, storeId: seeded.storeId }, seeded.auth)).scanToken as string)) : [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options: autocannon.Options = {
      url: base,
      connections: clients,
      ...(limit.amount ? { amount: limit.amount } : { duration: SECONDS }),
      headers: { 'content-type': 'application/json', ...seeded.auth },
      // A new body (receipt number, member) and Idempotency-Key for every request.
      requests: [
        {
          setupRequest: (req) => {
            const request = workload.request(seeded, tokens);
            return { ...req, ...request, headers: { ...req.headers, ...request.headers } };
          },
        },
      ],
    };
    running = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
  running = undefined;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - started;
  return {
    name: workload.name,
    clients,
    processes,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  };
}

// ---------- pgbench ----------
interface PgbenchRun { mode: 'tpcb' | 'select'; clients: number; tps: number; p50: number; p99: number }
async function pgbench(mode: 'tpcb' | 'select', clients: number): Promise<PgbenchRun> {
  const prefix = join(logDir, `${mode}-${clients}`);
  const args = ['-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS), '-l', `--log-prefix=${prefix}`, ...(mode === 'select' ? ['-S'] : []), urlOf(pgbenchDb)];
  const { stdout } = await run(PGBENCH, args, { cwd: logDir, maxBuffer: 16 << 20 });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1] ?? /tps = ([\d.]+)/.exec(stdout)?.[1]);
  // Per-transaction log: client_id transaction_no time_us script_no epoch epoch_us.
  const latencies: number[] = [];
  for (const file of readdirSync(logDir).filter((f) => f.startsWith(`${mode}-${clients}.`))) {
    for (const line of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (line && Number.isFinite(micros)) latencies.push(micros / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { mode, clients, tps, p50: at(0.5), p99: at(0.99) };
}

// ---------- the report ----------
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

function printTable(measured: Measured[], pgruns: PgbenchRun[]) {
  const baseline = (kind: 'write' | 'read', clients: number) => pgruns.find((r) => r.mode === (kind === 'write' ? 'tpcb' : 'select') && r.clients === clients);
  const header = `${pad('workload', 44)} ${pad('proc', 4, true)} ${pad('clients', 7, true)} ${pad('req/s', 9, true)} ${pad('p50 ms', 8, true)} ${pad('p99 ms', 8, true)} ${pad('errors', 7, true)} ${pad('vs pgbench', 11, true)} ${pad('gen CPU', 8, true)}`;
  console.log(`\n${header}\n${'-'.repeat(header.length)}`);
  for (const m of measured) {
    const kind = WORKLOADS.find((w) => w.name === m.name)!.kind;
    const b = baseline(kind, m.clients);
    console.log(`${pad(m.name, 44)} ${pad(String(m.processes), 4, true)} ${pad(String(m.clients), 7, true)} ${pad(fmt(m.rps), 9, true)} ${pad(fmt(m.p50, 1), 8, true)} ${pad(fmt(m.p99, 1), 8, true)} ${pad(String(m.errors), 7, true)} ${pad(b ? `${fmt((m.rps / b.tps) * 100, 1)}% ${kind === 'write' ? 'TPC-B' : 'sel'}` : '—', 11, true)} ${pad(`${fmt(m.cpuPercent)}%`, 8, true)}`);
  }
  for (const r of pgruns) {
    console.log(`${pad(`pgbench ${r.mode === 'tpcb' ? 'TPC-B-like' : 'select-only (-S)'}`, 44)} ${pad('', 4)} ${pad(String(r.clients), 7, true)} ${pad(fmt(r.tps), 9, true)} ${pad(fmt(r.p50, 1), 8, true)} ${pad(fmt(r.p99, 1), 8, true)}`);
  }
  console.log('(gen CPU: the load generator\'s own CPU time as a share of one core during the run)');
}

function printGoals(measured: Measured[], pgruns: PgbenchRun[]) {
  const at = (prefix: string) => measured.find((m) => m.name.startsWith(prefix) && m.clients === GOALS.clients && m.processes === 1);
  const tpcb = pgruns.find((r) => r.mode === 'tpcb' && r.clients === GOALS.clients);
  const select = pgruns.find((r) => r.mode === 'select' && r.clients === GOALS.clients);
  const sale = at('POST /transactions');
  const scan = at('POST /scan');
  if (!sale || !scan || !tpcb || !select) return console.log(`\nGoals are judged at ${GOALS.clients} clients, which this run did not measure.`);
  const saleMet = sale.rps >= GOALS.saleShareOfTpcb * tpcb.tps && sale.p99 < GOALS.saleP99Ms;
  const scanMet = scan.rps >= GOALS.scanShareOfSelect * select.tps && scan.p99 < GOALS.scanP99Ms;
  console.log(`\nGoals at ${GOALS.clients} clients, one API process:`);
  console.log(`  sale ≥ ${GOALS.saleShareOfTpcb * 100}% of TPC-B-like tps, p99 < ${GOALS.saleP99Ms} ms: ${fmt(sale.rps)} req/s = ${fmt((sale.rps / tpcb.tps) * 100, 1)}%, p99 ${fmt(sale.p99, 1)} ms → ${saleMet ? 'met' : 'MISS'}`);
  console.log(`  scan ≥ ${GOALS.scanShareOfSelect * 100}% of select-only tps, p99 < ${GOALS.scanP99Ms} ms: ${fmt(scan.rps)} req/s = ${fmt((scan.rps / select.tps) * 100, 1)}%, p99 ${fmt(scan.p99, 1)} ms → ${scanMet ? 'met' : 'MISS'}`);
}

function printScaling(measured: Measured[]) {
  const two = measured.filter((m) => m.processes > 1);
  if (!two.length) return;
  console.log(`\nScaling from 1 to ${PROCESSES} API processes (same port, node:cluster):`);
  for (const m of two) {
    const one = measured.find((o) => o.processes === 1 && o.name === m.name && o.clients === m.clients);
    if (one) console.log(`  ${pad(m.name, 44)} ${pad(String(m.clients), 3, true)} clients: ${fmt(one.rps)} → ${fmt(m.rps)} req/s (×${fmt(m.rps / one.rps, 2)})`);
  }
}

// ---------- main ----------
async function main() {
  console.log(`Kartu bench: ${SECONDS} s per run, clients ${CLIENTS.join('/')}, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs`);
  await createDatabase(kartuDb);
  await createDatabase(pgbenchDb);
  let base = await startServer(1);
  const seeded = await seed(base);
  console.log(`seeded tenant "bench": 1 store, 1 POS key, ${MEMBERS} members with cards and points, voucher ${VOUCHER}, 1 reward`);

  const measured: Measured[] = [];
  const report = (m: Measured) => {
    measured.push(m);
    console.log(`  ${m.name} ×${m.processes} proc, ${m.clients} clients: ${fmt(m.rps)} req/s, p50 ${fmt(m.p50, 1)} ms, p99 ${fmt(m.p99, 1)} ms, ${m.errors} errors, generator CPU ${fmt(m.cpuPercent)}%`);
  };
  await warmUp(base, seeded, WORKLOADS);
  for (const workload of WORKLOADS) for (const clients of CLIENTS) report(await load(base, seeded, workload, clients, 1));

  if (PROCESSES > 1) {
    await stopServer();
    base = await startServer(PROCESSES);
    const clustered = WORKLOADS.filter((w) => w.key === 'sale' || w.key === 'scan');
    await warmUp(base, seeded, clustered);
    for (const workload of clustered) for (const clients of CLIENTS) report(await load(base, seeded, workload, clients, PROCESSES));
  }
  await stopServer();

  console.log('pgbench: initialising scale 10 …');
  await run(PGBENCH, ['-i', '-q', '-s', '10', urlOf(pgbenchDb)], { maxBuffer: 16 << 20 });
  const pgruns: PgbenchRun[] = [];
  const modes = (['tpcb', 'select'] as const).filter((mode) => WORKLOADS.some((w) => w.kind === (mode === 'tpcb' ? 'write' : 'read')));
  for (const mode of modes) {
    for (const clients of CLIENTS) {
      const r = await pgbench(mode, clients);
      pgruns.push(r);
      console.log(`  pgbench ${mode} ${clients} clients: ${fmt(r.tps)} tps, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms`);
    }
  }

  printTable(measured, pgruns);
  printGoals(measured, pgruns);
  printScaling(measured);
  console.log(`\nLoad average now ${loadavg()[0].toFixed(1)}: on a machine shared with other work the figures are indicative only.`);
}

main()
  .catch((error) => {
    if (!interrupted) console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
