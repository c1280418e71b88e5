import { defineConfig } from 'vitest/config';

/**
 * Two tiers: `unit` (pure code, no network, no database) and `integration` (real PostgreSQL and
 * Redis; each run migrates its own fresh database in globalSetup).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
          globalSetup: ['test/helpers/global-setup.ts'],
          // A guard against a hang, not a budget: work in these tests scales with the machine's load
          // (a CLI process alone took 10-17 s to start on a machine at load 20), and each test waits
          // on real signals (a job finished, a row written) with its own bound.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // Files share one database per run; each test makes its own workspace.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
