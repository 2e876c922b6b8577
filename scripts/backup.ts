// `npm run backup [-- PATH]`: a consistent copy of the embedded database in backups/kartu-<time>.tar.gz,
// or in PATH (a file name, or a folder to put it in). While the server runs, the server takes the copy.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createDb } from '@kartu/db';
import { BackupError, backupFileName, dumpEmbeddedDatabase, writeFileAtomically } from '../api/src/backup/embedded-backup.ts';
import { resolveFromRoot } from '../api/src/config.ts';
import { askLiveServer } from '../api/src/server/live-server-request.ts';
import { readLiveServer, removePidFile, writePidFile, type PidFile } from '../api/src/server/pid-file.ts';
import { dataDir, megabytes, refuseOnPostgres, seconds } from './embedded-tools.ts';

function targetPath(argument: string | undefined, now: Date): string {
  const given = resolveFromRoot(argument ?? 'backups');
  const isFolder = !argument || argument.endsWith('/') || (existsSync(given) && statSync(given).isDirectory());
  const path = isFolder ? join(given, backupFileName(now)) : given;
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

async function fromLiveServer(live: PidFile): Promise<Uint8Array> {
  const res = await askLiveServer(live, 'POST', '/api/internal/backup').catch((error: Error) => {
    throw new BackupError(`the running server (pid ${live.pid}, port ${live.port}) did not answer: ${error.message}`);
  });
  if (res.status !== 200) throw new BackupError(`the running server answered ${res.status}: ${res.body.toString('utf8')}`);
  return new Uint8Array(res.body);
}

async function direct(): Promise<Uint8Array> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) throw new BackupError(`there is no embedded database in ${dataDir} (set KARTU_DATA_DIR?)`);
  // Held while the folder is open, so a server started meanwhile waits instead of opening it too.
  writePidFile(dataDir, { pid: process.pid, port: 0, adminToken: '' });
  try {
    const db = await createDb({ dataDir });
    try {
      return await dumpEmbeddedDatabase(db);
    } finally {
      await db.destroy();
    }
  } finally {
    removePidFile(dataDir);
  }
}

refuseOnPostgres('backup');
const started = performance.now();
const now = new Date();
try {
  const live = readLiveServer(dataDir);
  if (live && live.port === 0) throw new BackupError(`the Kartu server (pid ${live.pid}) is still starting with ${dataDir}; try again in a moment`);
  const bytes = live ? await fromLiveServer(live) : await direct();
  const path = targetPath(process.argv[2], now);
  writeFileAtomically(path, bytes);
  const source = live ? `taken by the running server (pid ${live.pid})` : `from ${dataDir}`;
  console.log(`Backup written: ${path}  (${megabytes(bytes.length)}, ${seconds(started)}, ${source})`);
  console.log('Keep it private: it holds every member\'s data and the data folder\'s secret key.');
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(`No backup made: ${error.message}`);
  process.exit(1);
}
