import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * One fresh database per test run (`mailroom_test_<random>`), migrated with the real migrations,
 * dropped at the end. Runs never collide, on a developer machine or in CI.
 */
const ADMIN_URL =
  process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/mailroom_test_${randomBytes(4).toString('hex')}`;
  await migrate(url.toString());
  project.provide('databaseUrl', url.toString());
  return () => dropDatabase(url.toString());
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
