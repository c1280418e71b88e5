import type { EntityManager } from '@mikro-orm/postgresql';
import { initServices, type Services } from '../app/services.ts';
import { loadConfig, type Config } from '../config.ts';
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

export async function withContext<T>(run: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = await loadConfig();
  const services = await initServices(config);
  try {
    const { log, orm } = services;
    return await run({ config, log, em: orm.em.fork(), orm, services });
  } finally {
    await services.close();
  }
}
