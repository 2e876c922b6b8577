import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { poolStatsOf } from '@kartu/db';
import type { Db } from '../deps.ts';
import { JOBS } from '../jobs/queue.ts';
import { jobCounts } from './metrics.repository.ts';

// Prometheus metrics of one app: its own registry, so several apps in one process (tests) do not mix.

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const shownJobStates: Record<string, string> = { created: 'waiting', retry: 'waiting', active: 'active', failed: 'failed' };

export interface RequestLabels {
  method: string;
  /** The route's template (/api/v1/members/{id}) or "unmatched": never a raw path, which would carry ids. */
  route: string;
  status: number;
}

export interface Metrics {
  contentType: string;
  observeRequest: (labels: RequestLabels, seconds: number) => void;
  render: () => Promise<string>;
}

export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Histogram({
    name: 'kartu_http_request_duration_seconds',
    help: 'HTTP requests to the API by method, route template and status class; _count is the number of requests',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  new Gauge({
    name: 'kartu_job_queue_jobs',
    help: 'Background jobs per queue: waiting (the queue depth), active, and failed (kept for pg-boss’s retention of two days)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { name } of Object.values(JOBS)) for (const state of ['waiting', 'active', 'failed']) this.set({ queue: name, state }, 0);
      for (const row of await jobCounts(db)) {
        const state = shownJobStates[row.state];
        if (state) this.inc({ queue: row.queue, state }, row.count);
      }
    },
  });

  const pool = (name: string, help: string, read: (stats: ReturnType<typeof poolStatsOf>) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(poolStatsOf(db))); } });
  pool('kartu_db_pool_max', 'Most database connections the pool opens (1: the embedded PGlite)', (s) => s.max);
  pool('kartu_db_pool_connections', 'Database connections open', (s) => s.total);
  pool('kartu_db_pool_idle', 'Open database connections not in use', (s) => s.idle);
  pool('kartu_db_pool_waiting', 'Queries waiting for a free database connection (PostgreSQL pool only)', (s) => s.waiting);

  return {
    contentType: registry.contentType,
    observeRequest: ({ method, route, status }, seconds) =>
      requests.observe({ method: methods.has(method) ? method : 'other', route, status: `${Math.floor(status / 100)}xx` }, seconds),
    render: () => registry.metrics(),
  };
}
