import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The embedded database may be opened by one process only. The server leaves this file in the
// data folder; command-line tools that find a live server ask it instead of opening the folder.
export interface PidFile {
  pid: number;
  port: number;
  adminToken: string;
  /** SHA-256 fingerprint of the certificate when the server serves HTTPS itself; tools pin it. */
  tlsFingerprint?: string;
}

const pathOf = (dataDir: string) => join(dataDir, 'kartu.pid');

export function readLiveServer(dataDir: string): PidFile | null {
  const file = pathOf(dataDir);
  if (!existsSync(file)) return null;
  try {
    const content = JSON.parse(readFileSync(file, 'utf8')) as PidFile;
    if (content.pid === process.pid) return null; // left by a crashed run whose pid we were given again
    try {
      process.kill(content.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null; // EPERM: alive, another user's
    }
    return content;
  } catch {
    return null;
  }
}

export function writePidFile(dataDir: string, content: PidFile): void {
  writeFileSync(pathOf(dataDir), JSON.stringify(content), { mode: 0o600 });
}

export function removePidFile(dataDir: string): void {
  rmSync(pathOf(dataDir), { force: true });
}
