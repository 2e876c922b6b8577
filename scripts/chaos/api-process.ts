// The real Kartu server as a supervised child process: restarted whenever it exits, whether the
// chaos loop killed it or it died by itself (counted apart, with its last words kept).
import { spawn, type ChildProcess } from 'node:child_process';
import { apiBundle } from '../lib/api-build.mjs';

export interface ApiProcess {
  kill: () => void;
  waitHealthy: (timeoutMs: number) => Promise<boolean>;
  stop: () => Promise<void>;
  stats: { starts: number; kills: number; unexpectedExits: number; lastUnexpected: string[] };
}

export function superviseApi(repoRoot: string, env: Record<string, string>, baseUrl: string): ApiProcess {
  const stats = { starts: 0, kills: 0, unexpectedExits: 0, lastUnexpected: [] as string[] };
  let child: ChildProcess | null = null;
  let stopping = false;
  let killedOnPurpose = false;

  const launch = () => {
    let output = '';
    killedOnPurpose = false;
    stats.starts++;
    const proc = spawn(process.execPath, [apiBundle], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      if (stopping) return;
      if (!killedOnPurpose) {
        stats.unexpectedExits++;
        // The process's last words: the uncaught error, not a request's error log line before it.
        const lines = output.trim().split('\n').filter((line) => !line.startsWith('{'));
        const error = lines.find((line) => /^\w*Error\b|^\s*throw\b|Unhandled/.test(line)) ?? lines.at(-1) ?? output.trim().split('\n').at(-1);
        stats.lastUnexpected.push(`exit ${code ?? signal}: ${error?.trim()}`);
        if (process.env.CHAOS_VERBOSE) console.error(output);
      }
      setTimeout(() => !stopping && launch(), killedOnPurpose ? 100 : 1000);
    });
    child = proc;
  };
  launch();

  return {
    stats,
    kill: () => {
      if (!child) return;
      killedOnPurpose = true;
      stats.kills++;
      child.kill('SIGKILL');
    },
    waitHealthy: async (timeoutMs) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        try {
          const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
          if (res.ok) return true;
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    },
    stop: async () => {
      stopping = true;
      if (!child) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
