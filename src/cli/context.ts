import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../app/services.ts';
import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';

/** What a command gets: the services container, and an EntityManager fork of its own. */
export interface CommandContext {
  config: Config;
  log: Logger;
  em: EntityManager;
  orm: Orm;
  services: Services;
}

/**
 * Opens the services for one command run. They are imported here, when a command runs, not when
 * its module loads, so `mailroom <command> --help` and flag errors cost no application import.
 */
export async function withContext<T>(run: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { initServices }] = await Promise.all([
    import('../config.ts'),
    import('../app/services.ts'),
  ]);
  const config = await loadConfig();
  const services = await initServices(config);
  try {
    const { log, orm } = services;
    return await run({ config, log, em: orm.em.fork(), orm, services });
  } finally {
    await services.close();
  }
}
