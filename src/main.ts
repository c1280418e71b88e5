/**
 * The API process: OAuth connect flows, liveness (`/healthz`) and readiness (`/readyz`).
 * `npm start`, or `node src/main.ts` under a supervisor (no wrapper between it and the signals).
 * A bad configuration or a database that is down stops it with the CLI's one line, not a stack.
 * Shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close queue and DB.
 */
import { initServices } from './app/services.ts';
import { loadConfig, requireEncryptionKey } from './config.ts';
import { exitWithErrorLine } from './error-line.ts';
import { apiDeps } from './http/api-deps.ts';
import { buildApp } from './http/app.ts';
import { onShutdown } from './shutdown.ts';

try {
  const config = await loadConfig();
  // Checked before anything is opened: the API cannot store a token without it.
  requireEncryptionKey(config);
  const services = await initServices(config, { name: 'mailroom-api' });
  const app = buildApp(apiDeps(services));
  onShutdown(
    services.log,
    async () => {
      await app.close();
      await services.close();
    },
    config.shutdownGraceMs,
  );
  await app.listen({ port: config.http.port, host: config.http.host });
} catch (err) {
  exitWithErrorLine(err);
}
