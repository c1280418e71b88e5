import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { pingDatabase } from '../db/health.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import { createOAuthConnectors } from '../providers/registry.ts';
import { SecretBox } from '../security/secret-box.ts';
import { StateSigner } from '../security/signed-state.ts';
import { registerErrorHandler } from './error-handler.ts';
import { registerNotFoundHandler, serializeRequest } from './request-log.ts';
import { registerOAuthRoutes } from './routes/oauth-routes.ts';

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
}

export function buildApp(deps: AppDeps): FastifyInstance {
  // Request logs never carry OAuth codes or states: the `req` serializer redacts their query.
  const log = deps.log.child({}, { serializers: { req: serializeRequest } });
  const app = Fastify({ loggerInstance: log }) as unknown as FastifyInstance;
  registerErrorHandler(app);
  registerNotFoundHandler(app);
  app.get('/healthz', async () => {
    await pingDatabase(deps.orm.em.fork());
    return { status: 'ok' };
  });
  registerOAuthRoutes(app, {
    ...deps,
    box: new SecretBox(deps.encryptionKey),
    signer: new StateSigner(deps.encryptionKey),
    connectors: createOAuthConnectors(deps.config),
  });
  return app;
}
