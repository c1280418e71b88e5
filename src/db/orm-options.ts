import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { fileURLToPath } from 'node:url';
import { ENTITIES } from './entities/index.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * MikroORM options. Schema changes go through migrations in `migrations/` only; there is no
 * schema auto-update outside tests.
 */
export function ormOptions(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    // MikroORM creates a missing database on connect by default; only `migrate` may create one,
    // so a mistyped DATABASE_URL never leaves an empty database behind.
    ensureDatabase: false,
    allowGlobalContext: false,
    debug: false,
    // stdout belongs to the CLI's JSON document.
    logger: (message: string) => process.stderr.write(`${message}\n`),
    pool: { min: 0, max: 10 },
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).ts',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
    ...overrides,
  });
}
