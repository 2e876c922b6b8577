// A throwaway PostgreSQL cluster for `npm run chaos`: the installed server binaries, its own data
// folder under the system temp dir and a random loopback port, so stopping it harms nothing else.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SYSTEM_USER = 'kartu-chaos';

export interface Cluster {
  url: string;
  /** `pg_ctl stop -m immediate`: no checkpoint, like pulling the plug on the server process. */
  crash: () => void;
  start: () => void;
  destroy: () => void;
}

/** initdb refuses root: as root, the binaries run as a system user made for this. */
function asUser(): { uid: number; gid: number; prefix: string[] } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    execFileSync('id', ['-u', SYSTEM_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER], { stdio: 'inherit' });
  }
  const uid = Number(execFileSync('id', ['-u', SYSTEM_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', SYSTEM_USER]).toString().trim());
  return { uid, gid, prefix: ['runuser', '-u', SYSTEM_USER, '--'] };
}

export function createCluster(port: number): Cluster {
  const user = asUser();
  const root = mkdtempSync(join(tmpdir(), 'kartu-chaos-'));
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, 'pgdata');
  const run = (args: string[]) => {
    const [command, ...rest] = [...(user?.prefix ?? []), ...args];
    try {
      execFileSync(command, rest, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`${args.join(' ')} failed: ${stderr || (error as Error).message}`);
    }
  };
  // fsync stays on (the default): crash safety is what this is for.
  run(['initdb', '-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-instructions']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c max_connections=100`;
  const start = () => run(['pg_ctl', 'start', '-w', '-t', '60', '-D', dataDir, '-l', join(root, 'postgres.log'), '-o', options]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => run(['pg_ctl', 'stop', '-m', 'immediate', '-D', dataDir]),
    start,
    destroy: () => {
      try {
        run(['pg_ctl', 'stop', '-m', 'immediate', '-D', dataDir]);
      } catch {
        // already stopped, or stopping: a Ctrl-C reaches the postmaster too
      }
      // Removed only once the postmaster is gone, or it writes its last files into the folder being deleted.
      const until = Date.now() + 15_000;
      while (existsSync(join(dataDir, 'postmaster.pid')) && Date.now() < until) execFileSync('sleep', ['0.2']);
      rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}
