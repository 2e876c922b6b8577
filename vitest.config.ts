import { defineConfig } from 'vitest/config';
import { raceScale } from './test/support/race-scale.ts';

// unit: pure logic. api: through HTTP on the app's callback against a real database (Postgres
// with DATABASE_URL, PGlite otherwise). race: concurrency on Postgres only. e2e: the built
// server driven in Chromium.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'api',
          include: ['test/api/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'race',
          include: ['test/race/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // KARTU_RACE_SCALE multiplies the contenders, and so the time a test may take.
          testTimeout: 60_000 * raceScale(),
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // A page waits on the server (a PDF, a mined query) longer than vitest's default second
          // when the machine is busy; a poll that passes only on an idle machine is a flaky test.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
