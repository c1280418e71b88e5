/**
 * A bare worker process for tests that kill or stop workers: it runs the shared sync queue's jobs
 * like `npm run worker`, and shuts down on SIGTERM the same way (its worker closed, handing its
 * running jobs back), but without the poll scheduler, which would queue every mailbox of the
 * shared test database into the test's queue.
 */
import { initServices } from '../../src/app/services.ts';
import { startSyncWorker } from '../../src/app/sync-worker.ts';
import { loadConfig } from '../../src/config.ts';
import { onShutdown } from '../../src/shutdown.ts';

const config = await loadConfig();
const services = await initServices(config, { queueRole: 'worker' });
const worker = startSyncWorker(services);
onShutdown(
  services.log,
  async () => {
    await worker.close();
    await services.close();
  },
  config.shutdownGraceMs,
);
