// npm run fuzz [-- runs [seed]]: the operation fuzzer (test/api/fuzz-operations.test.ts) with many
// runs per operation, on PostgreSQL when DATABASE_URL is set and on embedded PGlite otherwise.
// A failure prints its seed and counterexample; KARTU_FUZZ_SEED=<seed> replays it.
import { spawnSync } from 'node:child_process';

const [runs = process.env.KARTU_FUZZ_RUNS ?? '200', seed = process.env.KARTU_FUZZ_SEED ?? String(Date.now() % 1e9)] = process.argv.slice(2);
console.log(`fuzzing every operation: ${runs} runs each, seed ${seed}`);
const result = spawnSync('npx', ['vitest', 'run', '--project', 'api', 'test/api/fuzz-operations.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, KARTU_FUZZ_RUNS: runs, KARTU_FUZZ_SEED: seed, KARTU_FUZZ_STATS: process.env.KARTU_FUZZ_STATS ?? 'on' },
});
process.exit(result.status ?? 1);
