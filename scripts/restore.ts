// `npm run restore -- FILE`: puts a backup from `npm run backup` in place of the embedded database. Refuses
// while a server has the folder open; checks the whole archive before it touches anything; keeps the
// current folder beside it (renamed, never deleted).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackupError, restoreEmbeddedDatabase } from '../api/src/backup/embedded-backup.ts';
import { resolveFromRoot } from '../api/src/config.ts';
import { readLiveServer, removePidFile, writePidFile } from '../api/src/server/pid-file.ts';
import { dataDir, refuseOnPostgres, seconds } from './embedded-tools.ts';

refuseOnPostgres('restore');
const argument = process.argv[2];
if (!argument) {
  console.error('Usage: npm run restore -- backups/kartu-<time>.tar.gz');
  process.exit(1);
}
const archive = resolveFromRoot(argument);
if (!existsSync(archive)) {
  console.error(`No such file: ${archive}`);
  process.exit(1);
}
const live = readLiveServer(dataDir);
if (live) {
  console.error(`Not restored: a Kartu server (pid ${live.pid}${live.port ? `, port ${live.port}` : ''}) has ${dataDir} open.`);
  console.error('Stop it first (Ctrl+C where it runs), then run npm run restore again.');
  console.error(`If no Kartu server runs, process ${live.pid} is another program that got the pid of one that crashed: delete ${join(dataDir, 'kartu.pid')} and run it again.`);
  process.exit(1);
}

const started = performance.now();
const claimed = existsSync(dataDir);
// While restoring, a server started meanwhile finds this process in the pid file and does not open the folder.
if (claimed) writePidFile(dataDir, { pid: process.pid, port: 0, adminToken: '' });
try {
  const result = await restoreEmbeddedDatabase(archive, dataDir, new Date(), Boolean(process.env.KARTU_SECRET_KEY));
  if (result.setAside) removePidFile(result.setAside);
  console.log(`Restored ${archive} into ${dataDir} (${result.migrations} migrations, ${seconds(started)}).`);
  if (result.setAside) console.log(`The data folder that was there is kept at ${result.setAside}; delete it once you are satisfied.`);
  console.log('Start Kartu again: npm start');
} catch (error) {
  if (claimed) removePidFile(dataDir);
  if (!(error instanceof BackupError)) throw error;
  console.error(`Not restored, nothing changed: ${error.message}`);
  process.exit(1);
}
