// Backups of the embedded database: PGlite's own gzipped tarball of the whole data folder. It restores
// exactly — every schema (pg-boss's too), sequence, and the folder's secret.key — which a SQL dump
// would not. PostgreSQL is backed up with its own tools instead (docs/operations.md).
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createDb, migrations, pgliteOf } from '@kartu/db';
import type { Db } from '../deps.ts';

export class BackupError extends Error {}

/** A consistent snapshot: taken on the app's one connection, so no transaction is half done. */
export async function dumpEmbeddedDatabase(db: Db): Promise<Uint8Array> {
  const pglite = pgliteOf(db);
  if (!pglite) throw new BackupError('PostgreSQL is backed up with pg_dump or point-in-time recovery (docs/operations.md)');
  return db.connection().execute(async (connection) => {
    await sql`checkpoint`.execute(connection); // the data files themselves current, no WAL replay after a restore
    return new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
  });
}

/** `2026-12-03T173748Z`: sorts by time and is a valid file name everywhere. */
const stamp = (now: Date) => `${now.toISOString().slice(0, 19).replaceAll(':', '')}Z`;

export const backupFileName = (now: Date) => `kartu-${stamp(now)}.tar.gz`;

/** Written next to its final name and renamed, so a crash never leaves a half backup under that name. */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const temporary = join(dirname(path), `.${process.pid}-${Date.now()}.partial`);
  const fd = openSync(temporary, 'w', 0o600); // member data, and the data folder's secret.key
  try {
    writeFileSync(fd, bytes);
    fsyncSync(fd);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Names of the entries in a (ustar) tarball, with the leading slash PGlite writes removed. */
function tarEntryNames(tar: Uint8Array): string[] {
  const text = (from: number, length: number) => Buffer.from(tar.subarray(from, from + length)).toString('utf8').replace(/\0.*$/s, '');
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = text(offset, 100);
    if (!name) break;
    const prefix = text(offset + 345, 155);
    names.push((prefix ? `${prefix}/${name}` : name).replace(/^\/+/, ''));
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size)) throw new BackupError('the archive is damaged (a tar header is unreadable)');
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

export interface RestoreResult {
  /** Where the data folder that was there before now is (it is never deleted), if there was one. */
  setAside: string | null;
  migrations: number;
}

/**
 * Checks the archive completely — it unpacks, is a PGlite data folder, opens, and was made by this
 * version of Kartu or an older one — in a new folder beside the data folder, and only then moves the
 * current folder aside and puts the restored one in its place. The caller makes sure no server runs.
 */
export async function restoreEmbeddedDatabase(archive: string, dataDir: string, now: Date, hasSecretKey: boolean): Promise<RestoreResult> {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(readFileSync(archive));
  } catch (error) {
    throw new BackupError(`${archive} is not a readable .tar.gz (${(error as Error).message})`);
  }
  const names = new Set(tarEntryNames(tar));
  if (!names.has('PG_VERSION') || !names.has('global/pg_control')) throw new BackupError(`${archive} is not a backup of a Kartu data folder`);
  if (!names.has('secret.key') && !hasSecretKey) {
    throw new BackupError('the backup holds no secret.key (it was made with KARTU_SECRET_KEY set): set the same KARTU_SECRET_KEY to restore it');
  }

  const staging = `${dataDir}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const migrationCount = await openAndCheck(staging, tar, archive);
    rmSync(join(staging, 'kartu.pid'), { force: true }); // the server's at backup time, long gone
    const setAside = existsSync(dataDir) ? `${dataDir}.before-restore-${stamp(now)}` : null;
    if (setAside) renameSync(dataDir, setAside);
    try {
      renameSync(staging, dataDir);
    } catch (error) {
      if (setAside) renameSync(setAside, dataDir);
      throw error;
    }
    return { setAside, migrations: migrationCount };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

async function openAndCheck(staging: string, tar: Uint8Array, archive: string): Promise<number> {
  let db: Db;
  try {
    db = await createDb({ dataDir: staging, loadDataDir: new Blob([tar], { type: 'application/x-tar' }) });
  } catch (error) {
    throw new BackupError(`${archive} does not open as a database (${(error as Error).message})`);
  }
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db)
      .catch(() => { throw new BackupError(`${archive} holds a database, but not Kartu's`); });
    const unknown = rows.map((row) => row.name).filter((name) => !(name in migrations));
    if (unknown.length) throw new BackupError(`${archive} was made by a newer Kartu (migrations ${unknown.join(', ')}); update Kartu first`);
    return rows.length;
  } finally {
    await db.destroy();
  }
}
