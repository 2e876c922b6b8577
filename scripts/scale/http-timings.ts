// The HTTP client of `npm run bench:scale`, in a process of its own: it does nothing but send the
// requests it is given and time them, so its own garbage collections are few and short. In the
// bench's process they were not: after the expiry and RFM jobs its heap was large, and its pauses
// (up to 7 ms) were counted in the server's latencies.
// Reads a TimingPlan as JSON on stdin; writes one PhaseTimes as a JSON line on stdout per phase.
import { PerformanceObserver } from 'node:perf_hooks';
import { keepAliveGet } from '../lib/keep-alive-get.ts';

export interface TimingPlan {
  base: string;
  cookie: string;
  phases: { name: string; requests: { path: string; label?: string; expect?: string }[] }[];
}

export interface PhaseTimes {
  name: string;
  /** Per request, in the plan's order: milliseconds from the request to the body's last byte. */
  ms: number[];
  /** How many bodies held their request's `expect`. */
  found: number;
  /** This process's own garbage collections during the phase. */
  gc: { count: number; maxMs: number };
}

let gc = { count: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gc = { count: gc.count + 1, maxMs: Math.max(gc.maxMs, entry.duration) };
}).observe({ entryTypes: ['gc'] });

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const plan = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TimingPlan;
const client = keepAliveGet(plan.base, { cookie: plan.cookie });
try {
  for (const phase of plan.phases) {
    gc = { count: 0, maxMs: 0 };
    const ms: number[] = [];
    let found = 0;
    for (const { path, expect } of phase.requests) {
      const answer = await client.get(path);
      if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      ms.push(answer.ms);
      if (expect && answer.body.includes(expect)) found++;
    }
    const times: PhaseTimes = { name: phase.name, ms, found, gc };
    process.stdout.write(`${JSON.stringify(times)}\n`);
  }
} finally {
  client.close();
}
