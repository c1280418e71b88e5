/**
 * A bare worker process for tests that kill workers: it runs the shared sync queue's jobs like
 * `npm run worker`, but without the poll scheduler, which would queue every mailbox of the shared
 * test database into the test's queue.
 */
import { initServices } from '../../src/app/services.ts';
import { startSyncWorker } from '../../src/app/sync-worker.ts';
import { loadConfig } from '../../src/config.ts';

const services = await initServices(await loadConfig(), { queueRole: 'worker' });
startSyncWorker(services);
