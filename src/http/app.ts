import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { pingDatabase } from '../db/health.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import { createOAuthConnectors } from '../providers/registry.ts';
import { SecretBox } from '../security/secret-box.ts';
import { StateSigner } from '../security/signed-state.ts';
import type { Services } from '../app/services.ts';
import { createHitRecorder } from '../engagement/record-hit.ts';
import { registerApi } from './api/register-api.ts';
import { registerErrorHandler } from './error-handler.ts';
import { registerMcpRoute } from './mcp-route.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerMetricsRoute } from './metrics-route.ts';
import { measureServiceQueues } from '../app/measure-queues.ts';
import { registerNotFoundHandler, serializeRequest } from './request-log.ts';
import { registerOAuthRoutes } from './routes/oauth-routes.ts';
import { registerTrackingRoutes } from './tracking-routes.ts';
import { registerPushRoutes } from './push-routes.ts';
import { queuePushWaker } from '../app/push-waker.ts';
import { registerWeb } from './web/register-web.ts';

/**
 * The HTTP app factory: everything wired from `deps`, nothing listening. `src/main.ts` listens;
 * tests call `buildApp(...)` and `app.inject()`.
 */
export interface AppDeps {
  config: Config;
  orm: Orm;
  log: Logger;
  encryptionKey: string;
  /** Queues a mailbox's sync (the real queue in main, a spy or the queue in tests). */
  scheduleSync: (mailboxId: string) => Promise<void>;
  /**
   * The process's services; with them the app also serves the API (`/api/v1`, `/docs`), MCP and
   * the public tracking endpoints (`/t/o/…`, `/t/c/…`).
   */
  services?: Services;
  /**
   * Fails while Redis does not answer; `/readyz` reports it. Tests without a queue leave it out,
   * and `/readyz` then checks PostgreSQL only.
   */
  pingRedis?: () => Promise<void>;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  // Request logs never carry OAuth codes or states: the `req` serializer redacts their query.
  const log = deps.log.child({}, { serializers: { req: serializeRequest } });
  const app = Fastify({ loggerInstance: log }) as unknown as FastifyInstance;
  registerErrorHandler(app);
  registerNotFoundHandler(app);
  registerHealthRoutes(app, {
    postgres: () => pingDatabase(deps.orm.em.fork()),
    ...(deps.pingRedis ? { redis: deps.pingRedis } : {}),
  });
  if (deps.config.metrics.enabled) {
    registerMetricsRoute(app);
  }
  registerOAuthRoutes(app, {
    ...deps,
    box: new SecretBox(deps.encryptionKey),
    signer: new StateSigner(deps.encryptionKey),
    connectors: createOAuthConnectors(deps.config),
  });
  const { services } = deps;
  if (services !== undefined) {
    void app.register(async (root) => {
      await registerApi(root, { services });
    });
    void app.register(async (root) => {
      await registerMcpRoute(root, services);
    });
    // Public tracking pixel and click endpoints (no auth), with the process's keys and proxies.
    const recorder = createHitRecorder({
      keys: deps.config.tracking.keys,
      trustedProxies: deps.config.tracking.trustedProxies,
      db: () => deps.orm.em.fork(),
    });
    registerTrackingRoutes(app, { recorder });
    // The web views at /app (built assets, session sign-in), on the same API.
    void app.register(async (root) => {
      await registerWeb(root, { orm: deps.orm, publicUrl: deps.config.http.publicUrl });
    });
    // Gmail Pub/Sub pushes and Graph change notifications: they only wake syncs.
    registerPushRoutes(app, {
      config: deps.config,
      db: () => deps.orm.em.fork(),
      waker: queuePushWaker(async () => {
        await services.queueReady();
        return services.syncQueue();
      }),
    });
    // Hits are written in batches: closing waits for the ones still being stored (before the
    // process closes the database).
    app.addHook('onClose', () => recorder.close());
    if (deps.config.metrics.enabled) {
      const stopMeasuring = measureServiceQueues(services);
      app.addHook('onClose', () => {
        stopMeasuring();
      });
    }
  }
  return app;
}
