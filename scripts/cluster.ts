// `tsx scripts/cluster.ts` with KARTU_PROCESSES=N: N API processes (the bundle of api/src/main.ts) sharing one
// port through node:cluster, as `npm run bench` runs them with BENCH_PROCESSES=2. Workers start one
// after another, so only the first applies migrations. With PORT=0 every worker gets the same port.
import cluster from 'node:cluster';
import { ensureApiBuilt } from './lib/api-build.mjs';

const count = Math.max(1, Number(process.env.KARTU_PROCESSES ?? 2));
cluster.setupPrimary({ exec: await ensureApiBuilt(), execArgv: [] });

let stopping = false;
const stop = () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cluster.on('exit', (worker, code) => {
  if (!stopping) {
    console.error(`API process ${worker.process.pid} exited with ${code}; stopping the others`);
    stop();
    process.exitCode = 1;
  }
});

for (let i = 0; i < count && !stopping; i++) {
  await new Promise<void>((resolve) => cluster.fork().once('listening', () => resolve()).once('exit', () => resolve()));
}
