import { randomBytes } from 'node:crypto';
import { createDatabaseIfMissing, dropDatabase } from '../../src/db/create-database.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { testDatabaseUrl } from './test-orm.ts';

/**
 * A fresh database migrated up to `migration` (inclusive), for tests of what a later migration
 * does to rows written before it. `drop()` closes the ORM and drops the database.
 */
export async function databaseMigratedTo(
  migration: string,
): Promise<{ url: string; orm: Orm; drop(): Promise<void> }> {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/mailroom_test_mig_${randomBytes(4).toString('hex')}`;
  const url = u.toString();
  await createDatabaseIfMissing(url);
  const orm = await initORM(url);
  await orm.migrator.up({ to: migration });
  return {
    url,
    orm,
    async drop() {
      await orm.close(true);
      await dropDatabase(url);
    },
  };
}
