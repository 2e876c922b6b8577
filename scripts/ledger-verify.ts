// `npm run ledger:verify`: checks DESIGN.md's ledger invariants over every account; exits 1 on
// any violation. On the embedded database it asks a running server rather than open its folder.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '@kartu/db';
import { verifyLedger, type Violation } from '../api/src/ledger/verify.ts';
import { askLiveServer } from '../api/src/server/live-server-request.ts';
import { readLiveServer, removePidFile, writePidFile, type PidFile } from '../api/src/server/pid-file.ts';
import { dataDir } from './embedded-tools.ts';

async function fromLiveServer(live: PidFile) {
  const res = await askLiveServer(live, 'GET', '/api/internal/ledger/verify');
  if (res.status !== 200) throw new Error(`the running server answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as { accounts: number; violations: Violation[] };
}

async function direct(url: string | undefined) {
  // Held while the folder is open, so a server started meanwhile waits instead of opening it too.
  if (!url) writePidFile(dataDir, { pid: process.pid, port: 0, adminToken: '' });
  try {
    const db = await createDb({ url, dataDir });
    try {
      return await verifyLedger(db);
    } finally {
      await db.destroy();
    }
  } finally {
    if (!url) removePidFile(dataDir);
  }
}

// Not loadConfig: it would write a new secret.key into a data folder without one, and nothing here decrypts.
const databaseUrl = process.env.DATABASE_URL || undefined;
if (!databaseUrl && !existsSync(join(dataDir, 'PG_VERSION'))) {
  console.error(`There is no embedded database in ${dataDir} (set KARTU_DATA_DIR, or DATABASE_URL for PostgreSQL).`);
  process.exit(1);
}
const live = databaseUrl ? null : readLiveServer(dataDir);
if (live && live.port === 0) {
  console.error(`The Kartu server (pid ${live.pid}) is still starting with ${dataDir}; try again in a moment.`);
  process.exit(1);
}
const started = performance.now();
const result = live ? await fromLiveServer(live) : await direct(databaseUrl);
const ms = Math.round(performance.now() - started);
const source = databaseUrl ? 'PostgreSQL' : live ? `the running server (pid ${live.pid})` : dataDir;

for (const v of result.violations.slice(0, 50)) {
  console.error(`✗ tenant ${v.tenantId} account ${v.accountId}: ${v.check} — expected ${v.expected}, found ${v.actual}`);
}
if (result.violations.length) {
  console.error(`${result.violations.length} violation(s) in ${result.accounts} accounts (${source}, ${ms} ms)`);
  process.exit(1);
}
console.log(`ledger ok: ${result.accounts} accounts, every invariant holds (${source}, ${ms} ms)`);
