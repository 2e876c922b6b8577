// `npm run profile` (issue 12): where a request's time goes. Runs the app in this process on a
// scratch PostgreSQL database (DATABASE_URL names the server; the database is created and dropped),
// seeds what `npm run bench` seeds, sends PROFILE_REQUESTS requests of PROFILE_WORKLOAD (sale: a sale
// with 5 items and the public voucher code; scan: a printed card's code) one after another, as the
// bench does, and times every statement each sends. Prints the round trips per request, the time
// spent in PostgreSQL against the request's whole time, for sales the COMMIT's time (the voucher's
// use is counted there, under its row lock: sales with that code queue for that long), one
// request's statements in order with their median durations, and the JavaScript by file.
import { createServer, type Server } from 'node:http';
import { Session, type Profiler } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest, type DB } from '@kartu/db';
import { cardOfMember } from '../api/src/cards/cards.service.ts';
import { createApp } from '../api/src/app.ts';
import { loadConfig } from '../api/src/config.ts';
import { createRateLimits } from '../api/src/http/rate-limits.ts';

const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 300);
const WORKLOAD = process.env.PROFILE_WORKLOAD ?? 'sale';
if (WORKLOAD !== 'sale' && WORKLOAD !== 'scan') {
  console.error(`PROFILE_WORKLOAD must be sale or scan, got ${WORKLOAD}`);
  process.exit(2);
}
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl || !/^postgres(ql)?:\/\//.test(serverUrl)) {
  console.error('npm run profile needs DATABASE_URL=postgres://… (a PostgreSQL server; a scratch database is made on it)');
  process.exit(2);
}
const database = `kartu_profile_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const url = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

interface Statement { sql: string; ms: number; at: number }
let recording: Statement[] | null = null;

/** Times every statement any connection sends while a request is being recorded. */
function instrument() {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const result = query.apply(this, args);
    const log = recording;
    if (!log || !(result instanceof Promise)) return result;
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string }).text ?? '?');
    const started = performance.now();
    return result.then((value) => {
      log.push({ sql: text.replace(/\s+/g, ' '), ms: performance.now() - started, at: started });
      return value;
    });
  };
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function main() {
  await admin(`create database "${database}"`);
  instrument();
  let server: Server | undefined;
  const db = await createDb({ url });
  try {
    await migrateToLatest(db);
    const config = loadConfig({ DATABASE_URL: url, KARTU_SECRET_KEY: randomBytes(32).toString('base64url'), KARTU_SIGNUP: 'on', KARTU_DEMO: 'off', KARTU_RATE_LIMITS: 'local', KARTU_BENCH_RATE_LIMITS: 'on', HOST: '127.0.0.1' });
    const log = pino({ level: 'warn' });
    const { app } = createApp({ db, config, log, limits: createRateLimits(undefined, { scale: 1_000_000 }) });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const seeded = await seed(base, db, config.secretKey);

    const requests: Recorded[] = [];
    const inspector = new Session();
    inspector.connect();
    for (let i = 0; i < REQUESTS + 20; i++) {
      if (i === 20) {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.start');
      }
      const statements: Statement[] = [];
      recording = statements;
      const started = performance.now();
      const res = await fetch(`${base}${WORKLOAD === 'sale' ? '/api/v1/transactions' : '/api/v1/scan'}`, {
        method: 'POST',
        // As the bench: a sale carries an Idempotency-Key, a scan (a read) none.
        headers: { 'content-type': 'application/json', ...(WORKLOAD === 'sale' ? { 'idempotency-key': randomUUID() } : {}), ...seeded.auth },
        body: JSON.stringify(
          WORKLOAD === 'sale'
            ? { memberId: seeded.memberIds[i % seeded.memberIds.length], storeId: seeded.storeId, receiptNo: `P-${i}`, items: ITEMS, voucherCodes: [VOUCHER] }
            : { code: seeded.codes[i % seeded.codes.length], storeId: seeded.storeId },
        ),
      });
      await res.text();
      const wall = performance.now() - started;
      recording = null;
      if (!res.ok) throw new Error(`${WORKLOAD} ${i} → ${res.status}`);
      // The first requests compile routes and warm the plan caches.
      if (i >= 20) requests.push({ statements, wall });
    }
    const { profile } = await inspector.post('Profiler.stop');
    inspector.disconnect();
    report(requests);
    reportCpu(profile, requests.length);
  } finally {
    // The client's kept-alive sockets would hold close() open (and the process would end before the drop).
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await db.destroy();
    await admin(`drop database if exists "${database}" with (force)`);
  }
}

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${i + 1}`, name: `Barang ${i + 1}`, category: i % 2 ? 'minuman' : 'sembako', quantity: 1 + (i % 3), unitPrice: (10_000 + i * 2_500) * 100 }));
const VOUCHER = 'HEMAT5';

async function call(base: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} → ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function seed(base: string, db: Kysely<DB>, secretKey: Buffer) {
  const signup = await fetch(`${base}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retailerName: 'Toko Profil', email: 'owner@profile.kartu', password: 'profile-password-123', slug: 'profil' }),
  });
  if (signup.status !== 201) throw new Error(`signup → ${signup.status}: ${await signup.text()}`);
  const { tenantId } = (await signup.json()) as { tenantId: string };
  const owner = { cookie: signup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  const store = await call(base, '/api/v1/stores', { code: 'PROF', name: 'Toko Profil' }, owner);
  const { key } = await call(base, '/api/v1/api-keys', { name: 'profile till', scopes: ['pos'], storeId: store.id }, owner);
  await call(base, '/api/v1/vouchers/batches', { count: 1, code: VOUCHER, kind: 'amount', value: 5_000 * 100, usesPerCode: null, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }, owner);
  const memberIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const member = await call(base, '/api/v1/members', { name: `Anggota ${i}`, phone: `0813${String(20_000_000 + i).padStart(8, '0')}` }, owner);
    memberIds.push(member.id);
  }
  // The printed card's signed code, as a scanner reads it off the card.
  const codes = [];
  for (const id of memberIds) codes.push((await cardOfMember(db, secretKey, tenantId, id)).code);
  return { storeId: store.id as string, auth: { authorization: `Bearer ${key}` }, memberIds, codes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const fmt = (n: number, digits = 2) => n.toFixed(digits);

interface Recorded { statements: Statement[]; wall: number }

/** Time with at least one statement in flight: statements sent together overlap. */
function waiting(statements: Statement[]) {
  let total = 0;
  let until = -Infinity;
  for (const q of [...statements].sort((a, b) => a.at - b.at)) {
    const end = q.at + q.ms;
    if (end > until) total += end - Math.max(q.at, until);
    until = Math.max(until, end);
  }
  return total;
}

function report(requests: Recorded[]) {
  const trips = requests.map((r) => r.statements.length);
  const dbMs = requests.map((r) => waiting(r.statements));
  console.log(`${requests.length} ${WORKLOAD === 'sale' ? `sales (5 items, voucher ${VOUCHER})` : 'scans of printed cards'}, one at a time, on PostgreSQL`);
  console.log(`  round trips per request: median ${median(trips)} (min ${Math.min(...trips)}, max ${Math.max(...trips)})`);
  console.log(`  request time: median ${fmt(median(requests.map((r) => r.wall)))} ms, of which waiting on PostgreSQL ${fmt(median(dbMs))} ms`);
  if (WORKLOAD === 'sale') {
    const commits = requests.map((r) => {
      const commit = r.statements.findLast((q) => /^commit/i.test(q.sql));
      return commit ? commit.ms : NaN;
    });
    console.log(`  COMMIT (where the voucher's use is counted, under its row lock): median ${fmt(median(commits))} ms — sales with the same code queue for that long`);
  }
  const typical = requests.find((r) => r.statements.length === median(trips)) ?? requests[0];
  console.log('\n  one request, statement by statement (median ms over the requests with the same shape):');
  typical.statements.forEach((q, i) => {
    const times = requests.filter((r) => r.statements[i]?.sql === q.sql).map((r) => r.statements[i].ms);
    console.log(`  ${String(i + 1).padStart(3)} ${fmt(median(times)).padStart(6)}  ${q.sql.slice(0, 130)}`);
  });
}

/** The JavaScript that ran during the recorded requests, by self time, grouped by file (this process is client and server both). */
function reportCpu(profile: Profiler.Profile, requests: number) {
  const total = profile.endTime - profile.startTime;
  const interval = total / Math.max(1, profile.samples?.length ?? 1);
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  for (const id of profile.samples ?? []) {
    const { callFrame } = byNode.get(id)!;
    const where = callFrame.url ? callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(process.cwd() + '/', '') : `(${callFrame.functionName || 'native'})`;
    const key = where.startsWith('node_modules/') ? where.split('/').slice(0, where.split('/')[1].startsWith('@') ? 3 : 2).join('/') : where;
    selfUs.set(key, (selfUs.get(key) ?? 0) + interval);
  }
  const idle = selfUs.get('((idle))') ?? 0;
  console.log(`\n  JavaScript per request (client and server in this process): ${fmt((total - idle) / 1000 / requests)} ms of ${fmt(total / 1000 / requests)} ms wall; by file:`);
  for (const [where, us] of [...selfUs].filter(([k]) => k !== '((idle))').sort((a, b) => b[1] - a[1]).slice(0, 18)) {
    console.log(`  ${fmt(us / 1000 / requests).padStart(6)} ms  ${where}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
