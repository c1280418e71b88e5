import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
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
    const admin = new URL(baseUrl);
    admin.pathname = '/postgres';
    const orm = await MikroORM.init({
      clientUrl: admin.toString(),
      entities: [],
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
    });
    await orm.em.execute(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
    await orm.close(true);
  }
}
