// `npm run bench:import [rows]`: imports a generated CSV of members with opening balances (default
// 100,000 rows, a few bad ones) through the import service — streamed upload into staged rows, then
// the set-based batches — then imports the same file again (nothing new), then streams the members
// export; prints the times and rows/s. On PostgreSQL with DATABASE_URL, else on a fresh embedded
// PGlite in a temporary folder (never the server's). Each run signs up a new retailer, whose rows
// stay in the database. The budget (issue 11) is 60 s for 100,000 rows.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDb, migrateToLatest } from '@kartu/db';
import { loadConfig } from '../api/src/config.ts';
import { membersCsv } from '../api/src/exports/exports.service.ts';
import { getMemberImport, ownerOf, processMemberImport, stageMemberImport } from '../api/src/imports/imports.service.ts';
import { verifyLedger } from '../api/src/ledger/verify.ts';
import type { Principal } from '../api/src/shared/principal.ts';
import { signUpRetailer } from '../api/src/tenants/tenants.service.ts';

const BUDGET_S = 60;
const rows = Number(process.argv[2] ?? 100_000);
const url = process.env.DATABASE_URL || undefined;
const dataDir = url ? undefined : mkdtempSync(join(tmpdir(), 'kartu-bench-import-'));
const config = loadConfig({ KARTU_SECRET_KEY: randomBytes(32).toString('hex'), KARTU_SIGNUP: 'on', DATABASE_URL: url ?? '' });

/** The file, made as it is read: one bad phone every 1,000 rows. */
async function* csv() {
  yield Buffer.from('ID Lama;Nama;Telepon;Email;Tgl Lahir;Poin;Label;Setuju Promo\r\n');
  const lines: string[] = [];
  for (let i = 1; i <= rows; i++) {
    const phone = i % 1000 === 0 ? 'bukan-nomor' : `0813${String(i).padStart(8, '0')}`;
    lines.push(`OLD-${i};Pelanggan ${i};${phone};p${i}@contoh.id;${1960 + (i % 40)}-0${1 + (i % 9)}-1${i % 9};${(i % 50) * 100};lama;${i % 2 ? 'ya' : 'tidak'}`);
    if (lines.length === 1000) {
      yield Buffer.from(lines.join('\r\n') + '\r\n');
      lines.length = 0;
    }
  }
  if (lines.length) yield Buffer.from(lines.join('\r\n') + '\r\n');
}

const mapping = { phone: 'Telepon', name: 'Nama', email: 'Email', birthDate: 'Tgl Lahir', externalId: 'ID Lama', openingPoints: 'Poin', tags: 'Label', marketingOptIn: 'Setuju Promo' };

async function timedImport(db: Awaited<ReturnType<typeof createDb>>, principal: Principal) {
  const started = performance.now();
  const staged = await stageMemberImport(db, principal, { body: csv(), fileName: 'bench.csv', mapping });
  const stagedS = (performance.now() - started) / 1000;
  await processMemberImport(db, config.secretKey, ownerOf(principal), staged.id);
  const totalS = (performance.now() - started) / 1000;
  return { result: await getMemberImport(db, principal, staged.id), stagedS, totalS };
}

const db = await createDb({ url, dataDir });
let ok = false;
try {
  await migrateToLatest(db);
  const id = randomUUID().slice(0, 8);
  const signup = await signUpRetailer(db, config, {
    retailerName: `Bench ${id}`, email: `bench-${id}@bench.kartu`, password: randomUUID(), currency: 'IDR', timeZone: 'Asia/Jakarta', locale: 'id',
  });
  const principal: Principal = { kind: 'staff', tenantId: signup.tenantId, id: signup.ownerId, role: 'owner', storeId: null, sessionId: 'bench' };

  console.log(`member import on ${url ? 'PostgreSQL' : 'PGlite'}: ${rows.toLocaleString('en')} rows`);
  const first = await timedImport(db, principal);
  const r = first.result;
  console.log(`  first run: ${first.totalS.toFixed(1)} s (file read and staged in ${first.stagedS.toFixed(1)} s), ${Math.round(rows / first.totalS).toLocaleString('en')} rows/s`);
  console.log(`    created ${r.created}, updated ${r.updated}, skipped ${r.skipped}, failed ${r.failed}`);
  const again = await timedImport(db, principal);
  const a = again.result;
  console.log(`  same file again: ${again.totalS.toFixed(1)} s, ${Math.round(rows / again.totalS).toLocaleString('en')} rows/s; created ${a.created}, updated ${a.updated}, skipped ${a.skipped}, failed ${a.failed}`);

  let lines = 0;
  const started = performance.now();
  await pipeline(await membersCsv(db, principal), new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const byte of chunk) if (byte === 10) lines++;
      done();
    },
  }));
  console.log(`  members export streamed: ${((performance.now() - started) / 1000).toFixed(1)} s, ${lines.toLocaleString('en')} lines`);

  const { violations } = await verifyLedger(db, { tenantId: signup.tenantId });
  const bad = Math.floor(rows / 1000);
  ok = r.created === rows - bad && r.failed === bad && a.created === 0 && a.updated === 0 && violations.length === 0 && lines === rows - bad + 1;
  console.log(`  ledger: ${violations.length} violations; ${ok ? 'counts as expected' : 'UNEXPECTED counts'}`);
  console.log(first.totalS <= BUDGET_S ? `within the ${BUDGET_S} s budget` : `OVER the ${BUDGET_S} s budget`);
} finally {
  await db.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
