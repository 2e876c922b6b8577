// `npm start`: builds the two web apps and the server's bundle when they are not built or older than
// their sources, then runs the server (which migrates, seeds the demo on an empty embedded database,
// and serves everything).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureApiBuilt, newest } from './lib/api-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const sharedClient = newest(join(root, 'api', 'client'));
for (const app of ['portal', 'member-app']) {
  const built = join(root, app, 'build', 'handler.js');
  const sources = ['src', 'static', 'svelte.config.js', 'package.json'].map((p) => join(root, app, p)).filter(existsSync);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(sharedClient, ...sources.map(newest))) continue;
  console.log(`Building ${app}…`);
  const result = spawnSync(npm, ['run', 'build', '-w', app], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const server = spawn(process.execPath, [await ensureApiBuilt()], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
