import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import type {
  CalendarSourceFactory,
  MailSourceFactory,
  MailWatchFactory,
} from '../providers/registry.ts';
import type { Queue } from 'bullmq';

/** The services a job handler may use; built once per worker process (the composition root). */
export interface JobContext {
  config: Config;
  orm: Orm;
  log: Logger;
  pool: ParsePool;
  sources: MailSourceFactory;
  calendars: CalendarSourceFactory;
  watches: MailWatchFactory;
  syncQueue: Queue;
}
