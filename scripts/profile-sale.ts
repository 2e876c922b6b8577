// `npm run profile:sale` (issue 12): where a sale's time goes. Runs the app in this process on a
// scratch PostgreSQL database (DATABASE_URL names the server; the database is created and dropped),
// seeds what `npm run bench` seeds, posts PROFILE_SALES sales one after another exactly as the bench
// does (5 items, the public voucher code) and times every statement each sale sends. Prints the
// round trips per sale, the time spent in PostgreSQL against the request's whole time, how long the
// voucher row lock is held (from the statement that locks it to COMMIT: sales with that code wait that long),
// and one sale's statements in order with their median durations.
import { createServer, type Server } from 'node:http';
import { Session, type Profiler } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { createDb, migrateToLatest } from '@kartu/db';
import { createApp } from '../api/src/app.ts';
import { loadConfig } from '../api/src/config.ts';
import { createRateLimits } from '../api/src/http/rate-limits.ts';

const SALES = Number(process.env.PROFILE_SALES ?? 300);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl || !/^postgres(ql)?:\/\//.test(serverUrl)) {
  console.error('npm run profile:sale needs DATABASE_URL=postgres://… (a PostgreSQL server; a scratch database is made on it)');
  process.exit(2);
}
const database = `kartu_profile_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const url = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

interface Statement { sql: string; ms: number; at: number }
let recording: Statement[] | null = null;

/** Times every statement any connection sends while a sale is being recorded. */
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
    const { app } = createApp({ db, config, log, limits: createRateLimits(undefined) });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const seeded = await seed(base);

    const sales: { statements: Statement[]; wall: number }[] = [];
    const inspector = new Session();
    inspector.connect();
    for (let i = 0; i < SALES + 20; i++) {
      if (i === 20) {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.start');
      }
      const statements: Statement[] = [];
      recording = statements;
      const started = performance.now();
      const res = await fetch(`${base}/api/v1/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...seeded.auth },
        body: JSON.stringify({ memberId: seeded.memberIds[i % seeded.memberIds.length], storeId: seeded.storeId, receiptNo: `P-${i}`, items: ITEMS, voucherCodes: [VOUCHER] }),
      });
      await res.text();
      const wall = performance.now() - started;
      recording = null;
      if (res.status !== 201) throw new Error(`sale ${i} → ${res.status}`);
      // The first sales compile routes and warm the plan caches.
      if (i >= 20) sales.push({ statements, wall });
    }
    const { profile } = await inspector.post('Profiler.stop');
    inspector.disconnect();
    report(sales);
    reportCpu(profile, sales.length);
  } finally {
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

async function seed(base: string) {
  const signup = await fetch(`${base}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ retailerName: 'Toko Profil', email: 'owner@profile.kartu', password: 'profile-password-123', slug: 'profil' }),
  });
  if (signup.status !== 201) throw new Error(`signup → ${signup.status}: ${await signup.text()}`);
  const owner = { cookie: signup.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') };
  const store = await call(base, '/api/v1/stores', { code: 'PROF', name: 'Toko Profil' }, owner);
  const { key } = await call(base, '/api/v1/api-keys', { name: 'profile till', scopes: ['pos'], storeId: store.id }, owner);
  await call(base, '/api/v1/vouchers/batches', { count: 1, code: VOUCHER, kind: 'amount', value: 5_000 * 100, usesPerCode: null, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }, owner);
  const memberIds: string[] = [];
  for (let i = 0; i < 50; i++) {
    const member = await call(base, '/api/v1/members', { name: `Anggota ${i}`, phone: `0813${String(20_000_000 + i).padStart(8, '0')}` }, owner);
    memberIds.push(member.id);
  }
  return { storeId: store.id as string, auth: { authorization: `Bearer ${key}` }, memberIds };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const fmt = (n: number, digits = 2) => n.toFixed(digits);

function report(sales: { statements: Statement[]; wall: number }[]) {
  const trips = sales.map((s) => s.statements.length);
  const dbMs = sales.map((s) => s.statements.reduce((sum, q) => sum + q.ms, 0));
  const lockHeld = sales.map((s) => {
    const lock = s.statements.find((q) => /from "vouchers".* for update|update vouchers/i.test(q.sql));
    const commit = s.statements.findLast((q) => /^commit/i.test(q.sql));
    return lock && commit ? commit.at + commit.ms - lock.at : NaN;
  });
  console.log(`${sales.length} sales, one at a time (5 items, voucher ${VOUCHER}), on PostgreSQL`);
  console.log(`  round trips per sale: median ${median(trips)} (min ${Math.min(...trips)}, max ${Math.max(...trips)})`);
  console.log(`  request time: median ${fmt(median(sales.map((s) => s.wall)))} ms, of which waiting on PostgreSQL ${fmt(median(dbMs))} ms`);
  console.log(`  voucher row lock held (its lock → COMMIT): median ${fmt(median(lockHeld))} ms — sales with the same code queue for it`);
  const typical = sales.find((s) => s.statements.length === median(trips)) ?? sales[0];
  console.log('\n  one sale, statement by statement (median ms over the sales with the same shape):');
  typical.statements.forEach((q, i) => {
    const times = sales.filter((s) => s.statements[i]?.sql === q.sql).map((s) => s.statements[i].ms);
    console.log(`  ${String(i + 1).padStart(3)} ${fmt(median(times)).padStart(6)}  ${q.sql.slice(0, 130)}`);
  });
}

/** The JavaScript that ran during the recorded sales, by self time, grouped by file (this process is client and server both). */
function reportCpu(profile: Profiler.Profile, sales: number) {
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
  console.log(`\n  JavaScript per sale (client and server in this process): ${fmt((total - idle) / 1000 / sales)} ms of ${fmt(total / 1000 / sales)} ms wall; by file:`);
  for (const [where, us] of [...selfUs].filter(([k]) => k !== '((idle))').sort((a, b) => b[1] - a[1]).slice(0, 18)) {
    console.log(`  ${fmt(us / 1000 / sales).padStart(6)} ms  ${where}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
