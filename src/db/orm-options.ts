import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { ENTITIES } from './entities/index.ts';
import { DEFAULT_DB_TIMEOUTS, sessionOptions, type DbTimeouts } from './session-timeouts.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/** stdout belongs to the CLI's JSON document: whatever the database layers say goes to stderr. */
export const toStderr = (message: unknown): void => {
  process.stderr.write(`${typeof message === 'string' ? message : inspect(message)}\n`);
};

/** knex's logger, which writes to stdout (`console.log`) unless given functions. */
export const KNEX_LOG = { warn: toStderr, error: toStderr, deprecate: toStderr, debug: toStderr };

/**
 * MikroORM options. Schema changes go through migrations in `migrations/` only; there is no
 * schema auto-update outside tests.
 */
export function ormOptions(
  databaseUrl: string,
  overrides: Partial<Options> = {},
  timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS,
): Options {
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
    logger: toStderr,
    pool: { min: 0, max: 10 },
    driverOptions: {
      // Merged into the pg connection config: every pooled session opens with the timeouts set.
      connection: { options: sessionOptions(timeouts) },
      // knex, under the ORM, logs with console.log unless given functions: a pooled connection
      // the server dropped printed `Connection Error: …` on stdout before the CLI's JSON.
      log: KNEX_LOG,
    },
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
