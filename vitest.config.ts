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
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Files share one database per run; each test makes its own workspace.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
