// `npm run ledger:verify`: checks DESIGN.md's ledger invariants over every account; exits 1 on
// any violation. On the embedded database it asks a running server rather than open its folder.
import { createDb } from '@kartu/db';
import { loadConfig } from '../api/src/config.ts';
import { verifyLedger, type Violation } from '../api/src/ledger/verify.ts';
import { readLiveServer } from '../api/src/server/pid-file.ts';

async function fromLiveServer(port: number, token: string) {
  const res = await fetch(`http://127.0.0.1:${port}/api/internal/ledger/verify`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`the running server answered ${res.status}`);
  return (await res.json()) as { accounts: number; violations: Violation[] };
}

async function direct(url: string | undefined, dataDir: string) {
  const db = await createDb({ url, dataDir });
  try {
    return await verifyLedger(db);
  } finally {
    await db.destroy();
  }
}

const config = loadConfig();
const live = config.databaseUrl ? null : readLiveServer(config.dataDir);
if (live && live.port === 0) {
  console.error(`The Kartu server (pid ${live.pid}) is still starting with ${config.dataDir}; try again in a moment.`);
  process.exit(1);
}
const started = performance.now();
const result = live ? await fromLiveServer(live.port, live.adminToken) : await direct(config.databaseUrl, config.dataDir);
const ms = Math.round(performance.now() - started);
const source = config.databaseUrl ? 'PostgreSQL' : live ? `the running server (pid ${live.pid})` : config.dataDir;

for (const v of result.violations.slice(0, 50)) {
  console.error(`✗ tenant ${v.tenantId} account ${v.accountId}: ${v.check} — expected ${v.expected}, found ${v.actual}`);
}
if (result.violations.length) {
  console.error(`${result.violations.length} violation(s) in ${result.accounts} accounts (${source}, ${ms} ms)`);
  process.exit(1);
}
console.log(`ledger ok: ${result.accounts} accounts, every invariant holds (${source}, ${ms} ms)`);
