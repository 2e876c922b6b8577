// `npm run seed:scale`: one retailer with SCALE_MEMBERS members (default 1,000,000) and about
// SCALE_ENTRIES ledger entries (default 10,000,000) on the PostgreSQL at DATABASE_URL, for
// `npm run bench:scale`. See scripts/scale/seed-scale-data.ts for what is written.
import { createDb, migrateToLatest } from '@kartu/db';
import { loadConfig } from '../api/src/config.ts';
import { AlreadySeeded, seedScale } from './scale/seed-scale-data.ts';
import { SCALE_DEFAULTS } from './scale/scale-env.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('seed:scale needs PostgreSQL: set DATABASE_URL (the embedded PGlite is single-connection and far too slow for millions of rows).');
  process.exit(1);
}
const env = SCALE_DEFAULTS(process.env);
const config = loadConfig({ ...process.env, KARTU_SECRET_KEY: env.secretKey, KARTU_SIGNUP: 'on' });
const db = await createDb({ url });
const started = performance.now();
try {
  await migrateToLatest(db);
  console.log(`seed:scale — ${env.members.toLocaleString('en')} members, ~${env.entries.toLocaleString('en')} entries, retailer "${env.slug}"`);
  const result = await seedScale(db, config, { members: env.members, entries: env.entries, slug: env.slug, ownerEmail: env.ownerEmail, ownerPassword: env.password, log: console.log });
  console.log('phases:');
  for (const [name, seconds] of result.phases) console.log(`  ${name.padEnd(48)} ${seconds.toFixed(1).padStart(8)} s`);
  console.log(`wrote ${result.members.toLocaleString('en')} members, ${result.entries.toLocaleString('en')} entries, ${result.lots.toLocaleString('en')} lots, ${result.transactions.toLocaleString('en')} sales`);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s. Owner: ${env.ownerEmail} / ${env.password}; next: npm run bench:scale`);
} catch (error) {
  if (!(error instanceof AlreadySeeded)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
