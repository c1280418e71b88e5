/**
 * A bare webhook delivery worker process, for the test that SIGKILLs one mid-delivery: the
 * `webhooks` queue's worker as `npm run worker` runs it, without the sync worker and poll scheduler.
 */
import { initServices } from '../../src/app/services.ts';
import { startWebhookWorker } from '../../src/app/webhook-worker.ts';
import { loadConfig } from '../../src/config.ts';

const services = await initServices(await loadConfig(), { queueRole: 'worker' });
startWebhookWorker(services);
