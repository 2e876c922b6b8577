// `npm run chaos`, second phase: the race suite (vitest project `race`) on the throwaway cluster, its
// contenders multiplied by KARTU_RACE_SCALE, run N times over (vitest 4 has no suite-wide repeat).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDb } from '@kartu/db';

export interface RaceRun {
  repetition: number;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  exitCode: number | null;
  /** Failing tests (file › name: first line of the error), or why the run itself failed. */
  failures: string[];
}

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string; fullName: string; failureMessages: string[] }[] }[];
}

/** A fresh database on the cluster, named `name`: the race suite's global setup migrates it. */
export async function freshDatabase(clusterUrl: string, name: string): Promise<string> {
  const db = await createDb({ url: clusterUrl, maxConnections: 1 });
  try {
    await sql`drop database if exists ${sql.id(name)}`.execute(db);
    await sql`create database ${sql.id(name)}`.execute(db);
  } finally {
    await db.destroy();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

let running: ChildProcess | null = null;

/** Stops the vitest run in progress, if any (Ctrl-C, or the cluster going away under it). */
export function stopRaces() {
  running?.kill('SIGTERM');
}

const firstLine = (text: string | undefined) => (text ?? '').trim().split('\n')[0].slice(0, 300);

function failuresOf(report: JsonReport, repoRoot: string): string[] {
  return report.testResults.flatMap((file) => {
    const path = file.name.startsWith(repoRoot) ? file.name.slice(repoRoot.length + 1) : file.name;
    const tests = file.assertionResults.filter((t) => t.status === 'failed').map((t) => `${path} › ${t.fullName}: ${firstLine(t.failureMessages[0])}`);
    // A file that failed outside any test (an import, a beforeAll) has no failed test to name.
    return tests.length || file.status !== 'failed' ? tests : [`${path}: ${firstLine(file.message)}`];
  });
}

/** One `vitest run --project race`; its full output appended to `logFile`. */
async function runOnce(repoRoot: string, env: NodeJS.ProcessEnv, repetition: number, logFile: string): Promise<RaceRun> {
  const jsonFile = join(tmpdir(), `kartu-chaos-races-${process.pid}-${repetition}.json`);
  const started = Date.now();
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n===== repetition ${repetition}\n`);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/vitest'), ['run', '--project', 'race', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`], {
      cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
    running = child;
  });
  running = null;
  await new Promise((resolve) => log.end(resolve));
  const seconds = Math.round((Date.now() - started) / 1000);
  let report: JsonReport;
  try {
    report = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonReport;
  } catch {
    return { repetition, passed: 0, failed: 1, skipped: 0, seconds, exitCode, failures: [`vitest exited ${exitCode} without a report`] };
  } finally {
    rmSync(jsonFile, { force: true });
  }
  const failures = failuresOf(report, repoRoot);
  // A non-zero exit with no failed test (an unhandled error between tests) is a failure too.
  const failed = Math.max(report.numFailedTests, failures.length, exitCode === 0 ? 0 : 1);
  if (exitCode !== 0 && !failures.length) failures.push(`vitest exited ${exitCode}: see the log`);
  return { repetition, passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests, seconds, exitCode, failures };
}

export async function runRaces(
  repoRoot: string,
  databaseUrl: string,
  { scale, repeats, logFile, onRun }: { scale: number; repeats: number; logFile: string; onRun: (run: RaceRun) => void },
): Promise<RaceRun[]> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, KARTU_RACE_SCALE: String(scale) };
  const runs: RaceRun[] = [];
  for (let repetition = 1; repetition <= repeats; repetition++) {
    const run = await runOnce(repoRoot, env, repetition, logFile);
    runs.push(run);
    onRun(run);
  }
  return runs;
}
