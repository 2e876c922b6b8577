import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import request from 'supertest';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { newMember, newTenant, PASSWORD, saleBody, type Tenant } from '../support/factories.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { TEST_SECRET, type TestApp } from '../support/test-app.ts';

// The real scripts against a real server on an embedded data folder of this file's own (even when
// the suite runs on PostgreSQL: backups of PostgreSQL are PostgreSQL's tools, see the last test).
const work = mkdtempSync(join(tmpdir(), 'kh-backup-'));
const dataDir = join(work, 'data');
const embedded = { KARTU_DATA_DIR: dataDir, DATABASE_URL: '', KARTU_SECRET_KEY: TEST_SECRET };
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
});

function npmRun(script: string, args: string[], env: Record<string, string> = embedded) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function start(extra: Record<string, string> = {}, ca?: Buffer) {
  const server = await startServer({ ...embedded, KARTU_DEMO: 'off', KARTU_SIGNUP: 'on', ...extra });
  servers.push(server);
  return { server, app: { agent: () => (ca ? request.agent(server.url).ca(ca) : request.agent(server.url)) } as unknown as TestApp };
}

async function sell(tenant: Tenant, memberId: string) {
  const res = await tenant.owner.post('/api/v1/transactions').set('Idempotency-Key', crypto.randomUUID()).send(saleBody({ memberId }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.receiptNo as string;
}

const stateOf = async (agent: Tenant['owner'], memberId: string) => ({
  points: (await agent.get(`/api/v1/members/${memberId}/points`).expect(200)).body,
  members: (await agent.get('/api/v1/members').expect(200)).body,
});

it('backs up while the server runs, refuses to restore under it, and restores exactly that state', { timeout: 300_000 }, async () => {
  const first = await start();
  const tenant = await newTenant(first.app);
  const member = await newMember(tenant);
  await sell(tenant, member.id);
  await sell(tenant, member.id);
  const atBackup = await stateOf(tenant.owner, member.id);

  const backup = await npmRun('backup', [join(work, 'backups') + '/']);
  expect(backup.code, backup.output).toBe(0);
  expect(backup.output).toMatch(/taken by the running server/);
  const archive = /Backup written: (\S+\.tar\.gz)/.exec(backup.output)![1];
  expect(dirname(archive)).toBe(join(work, 'backups'));
  expect(basename(archive)).toMatch(/^kartu-\d{4}-\d\d-\d\dT\d{6}Z\.tar\.gz$/);
  expect(readdirSync(join(work, 'backups'))).toEqual([basename(archive)]); // no temporary file left
  // Only the data folder's owner can ask: the token is in its pid file.
  await request(first.server.url).post('/api/internal/backup').expect(403);
  await request(first.server.url).post('/api/internal/backup').set('Authorization', 'Bearer not-the-token').expect(403);

  const laterReceipt = await sell(tenant, member.id);
  const laterMember = await newMember(tenant);

  const refused = await npmRun('restore', [archive]);
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(/Not restored: a Kartu server \(pid \d+, port \d+\) has .* open/);
  expect((await tenant.owner.get(`/api/v1/members/${laterMember.id}`)).status).toBe(200);

  await first.server.stop();
  writeFileSync(join(work, 'damaged.tar.gz'), Buffer.from('not a backup'));
  const damaged = await npmRun('restore', [join(work, 'damaged.tar.gz')]);
  expect(damaged.code).toBe(1);
  expect(damaged.output).toMatch(/Not restored, nothing changed: .* is not a readable \.tar\.gz/);
  expect(readdirSync(work).sort()).toEqual(['backups', 'damaged.tar.gz', 'data']);

  const restored = await npmRun('restore', [archive]);
  expect(restored.code, restored.output).toBe(0);
  expect(restored.output).toMatch(/Start Kartu again: npm start/);
  const setAside = readdirSync(work).find((name) => name.startsWith('data.before-restore-'));
  expect(setAside).toBeDefined();
  expect(existsSync(join(work, setAside!, 'PG_VERSION'))).toBe(true);

  const second = await start();
  const owner = second.app.agent();
  await owner.post('/api/v1/auth/login').send({ email: tenant.ownerEmail, password: PASSWORD }).expect(200);
  expect(await stateOf(owner, member.id)).toEqual(atBackup);
  expect((await owner.get(`/api/v1/members/${laterMember.id}`)).status).toBe(404);
  expect((await owner.get('/api/v1/transactions').query({ receiptNo: laterReceipt }).expect(200)).body.items).toEqual([]);
  // The restored database takes new sales (its sequences and job queue came back too).
  await sell({ ...tenant, owner }, member.id);

  const verified = await npmRun('ledger:verify', []);
  expect(verified.code, verified.output).toBe(0);
  expect(verified.output).toMatch(/ledger ok: 1 accounts/);
});

it('explains that PostgreSQL is backed up with its own tools instead of pretending', { timeout: 60_000 }, async () => {
  const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/kh_backup_none' };
  for (const script of ['backup', 'restore']) {
    const result = await npmRun(script, [join(work, 'x.tar.gz')], env);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/PostgreSQL/);
    expect(result.output).toMatch(script === 'backup' ? /pg_dump/ : /pg_restore/);
    expect(result.output).toMatch(/docs\/operations\.md/);
  }
});

it('over the server’s own HTTPS, under a stream of sales: a consistent backup, the certificate pinned, foreign archives refused', { timeout: 300_000 }, async () => {
  const tlsData = join(work, 'tls-data');
  const [cert, key] = [join(work, 'cert.pem'), join(work, 'key.pem')];
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', key, '-out', cert,
    '-subj', '/CN=loyalty.toko.test', '-addext', 'subjectAltName=DNS:localhost'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const tlsEnv = { ...embedded, KARTU_DATA_DIR: tlsData };
  const { server, app } = await start({ KARTU_DATA_DIR: tlsData, KARTU_TLS_CERT: cert, KARTU_TLS_KEY: key }, readFileSync(cert));
  expect(server.url).toMatch(/^https:/);
  const tenant = await newTenant(app);
  const member = await newMember(tenant);

  let backingUp = true;
  const sales = async () => {
    let count = 0;
    for (; backingUp; count++) await sell(tenant, member.id);
    return count;
  };
  const [backup, ...sold] = await Promise.all([npmRun('backup', [join(work, 'tls-backups') + '/'], tlsEnv).finally(() => (backingUp = false)), sales(), sales()]);
  expect(backup.code, backup.output).toBe(0);
  expect(backup.output).toMatch(/taken by the running server/);
  expect(sold[0] + sold[1]).toBeGreaterThan(2);
  const archive = /Backup written: (\S+\.tar\.gz)/.exec(backup.output)![1];

  const viaServer = await npmRun('ledger:verify', [], { ...tlsEnv, KARTU_SECRET_KEY: '' });
  expect(viaServer.code, viaServer.output).toBe(0);
  expect(viaServer.output).toMatch(/ledger ok: 1 accounts.*the running server/);

  const pidFile = join(tlsData, 'kartu.pid');
  const pid = JSON.parse(readFileSync(pidFile, 'utf8'));
  // Another certificate on the port than the one the server recorded: the token is not sent.
  writeFileSync(pidFile, JSON.stringify({ ...pid, tlsFingerprint: Array(32).fill('00').join(':') }));
  const impostor = await npmRun('backup', [join(work, 'tls-backups') + '/'], tlsEnv);
  expect(impostor.code).toBe(1);
  expect(impostor.output).toMatch(/another certificate .*nothing was sent/);
  writeFileSync(pidFile, JSON.stringify(pid));
  await server.stop();

  // Restored elsewhere, with no server: whole sales only, every ledger invariant holds.
  const restoredDir = join(work, 'restored-tls');
  const restoredEnv = { ...embedded, KARTU_DATA_DIR: restoredDir };
  expect((await npmRun('restore', [archive], restoredEnv)).code).toBe(0);
  const verified = await npmRun('ledger:verify', [], { ...restoredEnv, KARTU_SECRET_KEY: '' });
  expect(verified.code, verified.output).toBe(0);
  expect(verified.output).toMatch(/ledger ok: 1 accounts, every invariant holds \(.*restored-tls/);
  expect(readdirSync(restoredDir)).not.toContain('secret.key'); // verifying decrypts nothing, so it makes no key

  // A cut-off copy and someone else's archive are refused before the data folder is touched.
  const truncated = join(work, 'truncated.tar.gz');
  const whole = readFileSync(archive);
  writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
  const foreign = join(work, 'foreign.tar.gz');
  expect(spawnSync('tar', ['czf', foreign, '-C', repoRoot, 'docs']).status).toBe(0);
  const before = readdirSync(work).sort();
  for (const [file, reason] of [[truncated, /is not a readable \.tar\.gz/], [foreign, /is not a backup of a Kartu data folder/]] as const) {
    const refused = await npmRun('restore', [file], restoredEnv);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(reason);
  }
  expect(readdirSync(work).sort()).toEqual(before);
  expect(readdirSync(restoredDir)).toContain('PG_VERSION');
});
