// `npm start`: builds the two web apps when they are not built yet, then runs the server
// (which migrates, seeds the demo on an empty embedded database, and serves everything).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const app of ['portal', 'member-app']) {
  if (existsSync(join(root, app, 'build', 'handler.js'))) continue;
  console.log(`Building ${app} (first start only)…`);
  const result = spawnSync(npm, ['run', 'build', '-w', app], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'api/src/main.ts')], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
