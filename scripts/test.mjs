// `npm test`: everything a user needs to trust the build. Type checks, the typed client's
// freshness, the two apps' builds, then vitest: unit, API (Postgres with DATABASE_URL, else
// PGlite), race (Postgres only) and the browser suite (Chromium). Under CI=true a suite that
// cannot run is a failure, never a silent skip. JSON reports go to test-results/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ci = process.env.CI === 'true';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const step = (title, cmd, args, env) => {
  console.log(`\n▶ ${title}`);
  const status = run(cmd, args, env);
  if (status !== 0) {
    console.error(`✗ ${title} failed`);
    process.exit(status);
  }
};

step('type check (db, api, tests, scripts)', 'npx', ['tsc', '-p', 'tsconfig.json']);
step('typed API client is up to date', npm, ['run', 'client:check', '--silent']);
step('svelte-check portal', npm, ['run', 'check', '-w', 'portal', '--silent']);
step('svelte-check member-app', npm, ['run', 'check', '-w', 'member-app', '--silent']);
step('build portal and member app', npm, ['run', 'build', '--silent']);

const projects = ['unit', 'api'];
if (process.env.DATABASE_URL) projects.push('race');
else if (ci) {
  console.error('✗ CI=true but DATABASE_URL is unset: the race suite needs PostgreSQL');
  process.exit(1);
} else console.warn('! race suite not run: it needs PostgreSQL (set DATABASE_URL)');

const chromium = process.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (chromium) projects.push('e2e');
else if (ci) {
  console.error('✗ CI=true but no Chromium found: install Debian chromium or set CHROMIUM_PATH');
  process.exit(1);
} else console.warn('! browser suite not run: no Chromium (apt-get install chromium, or set CHROMIUM_PATH)');

const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const label = process.env.KARTU_TEST_LABEL || (process.env.DATABASE_URL ? 'postgres' : 'pglite');
delete process.env.KARTU_TEST_LABEL; // the runner's own: servers the tests start would warn of an unknown KARTU_ variable
rmSync(join(results, `${label}.json`), { force: true });
console.log(`\n▶ vitest: ${projects.join(', ')} (${label})`);
const status = run('npx', [
  'vitest', 'run', ...projects.flatMap((p) => ['--project', p]),
  '--reporter=default', '--reporter=json', `--outputFile.json=${join(results, `${label}.json`)}`,
], { CHROMIUM_PATH: chromium ?? '' });
process.exit(status);
