import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../api/src/config.ts';
import { ensureApiBuilt } from '../../scripts/lib/api-build.mjs';
import { TEST_SECRET } from './test-app.ts';

export interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the real server as `npm start` runs it (the bundle of `api/src/main.ts`, built if stale: API,
 * portal and member app on one port) on a free
 * port: on the suite's Postgres with DATABASE_URL, else on a fresh embedded data folder.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kartu-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [await ensureApiBuilt()], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      KARTU_DATA_DIR: dataDir,
      KARTU_SECRET_KEY: TEST_SECRET,
      LOG_LEVEL: 'warn',
      // Every server here is one process, and browser tests from one IP would otherwise spend a
      // shared quota across files on the suite's Postgres (typed card numbers: 30 per 10 minutes).
      KARTU_RATE_LIMITS: 'local',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));

  const url = await new Promise<string>((resolve, reject) => {
    // The demo seed on a busy 2-core machine has taken close to two minutes; the e2e hook timeout (180 s) is the outer limit.
    const timer = setTimeout(() => reject(new Error(`server did not start in 170 s:\n${output}`)), 170_000);
    const check = () => {
      const match = /Kartu is running on (https?:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
