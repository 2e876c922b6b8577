import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../../api/src/config.ts';
import { apiBundle } from './api-build.mjs';

export interface ApiChild {
  child: ChildProcess;
  /** The server's base URL, once every one of its processes said it runs. */
  url: Promise<string>;
  /** SIGTERM, then SIGKILL after `killAfterMs` (in-flight requests get that long). */
  stop: () => Promise<void>;
}

/**
 * The real API server as a child process, as `npm start` runs it (`scripts/cluster.ts` for several
 * processes on one port), for the benchmarks; the caller builds the bundle first (ensureApiBuilt).
 * Returned at once, so a caller interrupted while it starts can still stop it.
 */
export function spawnApi(env: NodeJS.ProcessEnv, { processes = 1, killAfterMs = 3_000 }: { processes?: number; killAfterMs?: number } = {}): ApiChild {
  const args = processes > 1 ? ['--import', 'tsx', 'scripts/cluster.ts'] : [apiBundle];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      const started = [...output.matchAll(/Kartu is running on https?:\/\/localhost:(\d+)/g)];
      if (started.length >= processes) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${started[0][1]}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  url.catch(() => undefined);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(kill);
  };
  return { child, url, stop };
}
