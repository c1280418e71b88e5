import { randomBytes } from 'node:crypto';
import { dropDatabase } from '../src/db/create-database.ts';
import { migrate } from '../src/db/migrate.ts';

/** A throwaway, migrated database for one benchmark run, dropped afterwards. */
export async function withBenchDatabase<T>(
  baseUrl: string,
  run: (url: string) => Promise<T>,
): Promise<T> {
  const url = new URL(baseUrl);
  url.pathname = `/mailroom_bench_${randomBytes(4).toString('hex')}`;
  await migrate(url.toString());
  try {
    return await run(url.toString());
  } finally {
    await dropDatabase(url.toString());
  }
}
