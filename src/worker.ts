/**
 * The worker process: runs sync jobs and webhook deliveries, keeps every mailbox polling and
 * relays the outbox's events. `npm run worker`, or
 * `node src/worker.ts` under a supervisor. Add processes to scale out; deterministic job ids
 * keep one sync per mailbox however many run. While Redis is down it waits, with one warning.
 * On SIGTERM/SIGINT it asks running sync jobs to stop at their next checkpoint and hands them back
 * to the queue, where another worker resumes them at once (create-worker.ts); webhook deliveries
 * and jobs without checkpoints are let finish, up to MAILROOM_SHUTDOWN_GRACE_SECONDS.
 * With `MAILROOM_METRICS=on` it serves Prometheus `GET /metrics` on `MAILROOM_WORKER_METRICS_PORT`.
 */
import { keepPollScheduled } from './app/keep-poll-scheduled.ts';
import { startPollWorker } from './app/poll-worker.ts';
import { initServices } from './app/services.ts';
import { startWorkerEventRelay } from './app/start-event-relay.ts';
import { startSyncWorker } from './app/sync-worker.ts';
import { startWebhookWorker } from './app/webhook-worker.ts';
import { measureServiceQueues } from './app/measure-queues.ts';
import { startMetricsServer } from './observability/metrics-server.ts';
import { loadConfig } from './config.ts';
import { errorLine, exitWithErrorLine } from './error-line.ts';
import { onShutdown } from './shutdown.ts';

// A bad configuration or a database that is down: the CLI's one line, not a stack.
const config = await loadConfig().catch(exitWithErrorLine);
const services = await initServices(config, {
  name: 'mailroom-worker',
  queueRole: 'worker',
}).catch(exitWithErrorLine);
const queue = services.syncQueue();
const pollQueue = services.pollQueue();
const worker = startSyncWorker(services);
const pollWorker = startPollWorker(services);
const relay = startWorkerEventRelay(services);
const webhookWorker = startWebhookWorker(services);
// Before Redis is waited for: an operator sees the queues as down (`mailroom_queue_up` 0), not
// a worker that does not answer. A port already taken (a second worker on the same host without
// its own MAILROOM_WORKER_METRICS_PORT) costs that worker its metrics, not its jobs: one warning.
const metricsServer = config.metrics.enabled
  ? await startMetricsServer(config.metrics.workerPort, config.http.host).catch((err: unknown) => {
      services.log.warn(
        { port: config.metrics.workerPort },
        `worker metrics not served: ${errorLine(err)} (set MAILROOM_WORKER_METRICS_PORT)`,
      );
      return null;
    })
  : null;
const stopMeasuring = config.metrics.enabled ? measureServiceQueues(services) : () => undefined;
let pollSchedule: ReturnType<typeof keepPollScheduled> | null = null;
// Registered before waiting for Redis: a SIGTERM while Redis is still down at start-up closes the
// worker within the grace period instead of killing it mid-connect.
onShutdown(
  services.log,
  async () => {
    pollSchedule?.stop();
    stopMeasuring();
    metricsServer?.close();
    await relay.stop();
    await Promise.all([worker.close(), pollWorker.close(), webhookWorker.close()]);
    await services.close();
  },
  config.shutdownGraceMs,
);
await queue.waitUntilReady();
await pollQueue.waitUntilReady();
pollSchedule = keepPollScheduled(pollQueue, config, services.log);
await pollSchedule.ready;
services.log.info(
  { pollSeconds: config.sync.pollIntervalSeconds, pollTickSeconds: config.sync.pollTickSeconds },
  'worker started',
);
