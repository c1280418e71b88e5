import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig, type Config } from '../config.ts';
import { initORM, type Orm } from '../db/orm.ts';
import { createLogger, type Logger } from '../logger.ts';

/** What a command gets: validated config, a logger on stderr, and an EntityManager fork. */
export interface CommandContext {
  config: Config;
  log: Logger;
  em: EntityManager;
  orm: Orm;
}

export async function withContext<T>(run: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = await loadConfig();
  const log = createLogger(config.logLevel);
  const orm = await initORM(config.db.url);
  try {
    return await run({ config, log, em: orm.em.fork(), orm });
  } finally {
    await orm.close(true);
  }
}
