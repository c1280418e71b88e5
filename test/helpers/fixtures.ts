import { test as base } from 'vitest';
import type { GmailEmulatorOptions } from '../../emulators/google/gmail-emulator.ts';
import type { GraphEmulatorOptions } from '../../emulators/microsoft/graph-emulator.ts';
import { startGmailHarness } from './gmail-harness.ts';
import { startGraphHarness } from './graph-harness.ts';
import { testPool } from './ingest.ts';
import { openTestOrm } from './test-orm.ts';

/**
 * The integration tests' shared set-up as vitest fixtures: a test names what it needs (`orm`,
 * `pool`, `gmail`, `graph`) and gets it. Each is built once per file, on first use, and closed when
 * the file ends, so files that never touch an emulator never start one. A file tunes an emulator
 * or its Mailroom config with `it.override('gmailEnv', { scope: 'file' }, {...})` (likewise
 * `gmailOptions`, `graphOptions`, `graphEnv`) before its tests.
 */
export const it = base
  // vitest reads a fixture's dependencies from its first parameter, which must be a pattern.
  // eslint-disable-next-line no-empty-pattern
  .extend('orm', { scope: 'file' }, async ({}, { onCleanup }) => {
    const orm = await openTestOrm();
    onCleanup(() => orm.close(true));
    return orm;
  })
  // eslint-disable-next-line no-empty-pattern
  .extend('pool', { scope: 'file' }, ({}, { onCleanup }) => {
    const pool = testPool();
    onCleanup(() => pool.close());
    return pool;
  })
  .extend('gmailOptions', { scope: 'file' }, (): GmailEmulatorOptions => ({}))
  .extend('gmailEnv', { scope: 'file' }, (): Record<string, string> => ({}))
  .extend('gmail', { scope: 'file' }, async ({ gmailOptions, gmailEnv }, { onCleanup }) => {
    const harness = await startGmailHarness(gmailOptions, gmailEnv);
    onCleanup(() => harness.close());
    return harness;
  })
  .extend('graphOptions', { scope: 'file' }, (): Omit<GraphEmulatorOptions, 'tls'> => ({}))
  .extend('graphEnv', { scope: 'file' }, (): Record<string, string> => ({}))
  .extend('graph', { scope: 'file' }, async ({ graphOptions, graphEnv }, { onCleanup }) => {
    const harness = await startGraphHarness(graphOptions, graphEnv);
    onCleanup(() => harness.close());
    return harness;
  });
