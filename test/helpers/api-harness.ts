import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { initServices, type Services } from '../../src/app/services.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import { createApiKey } from '../../src/workspaces/api-keys.ts';
import { silentLog } from './gmail-harness.ts';
import { createWorkspace, testDatabaseUrl, testRedisUrl } from './test-orm.ts';

/**
 * The API as `npm start` serves it, over `inject()`, with real PostgreSQL and Redis. Every
 * response of an `/api/v1` route a test makes goes through `call`, which checks it against the
 * OpenAPI document the app publishes: the operation must declare that status, and the body must
 * validate against the declared schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
export interface ApiHarness {
  app: FastifyInstance;
  services: Services;
  config: Config;
  /** A workspace with a key. */
  workspaceId: string;
  key: string;
  /** A second workspace with its own key, for tenancy checks. */
  other: { workspaceId: string; key: string };
  /** An API call with `key` (or `as`), its response checked against the document. */
  call(
    method: InjectOptions['method'],
    url: string,
    opts?: { as?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
}

export async function startApi(orm: Orm, env: Record<string, string> = {}): Promise<ApiHarness> {
  const encryptionKey = randomBytes(32).toString('base64');
  const config = parseConfig({
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    MAILROOM_ENCRYPTION_KEY: encryptionKey,
    MAILROOM_QUEUE_PREFIX: `test-api-${randomUUID()}`,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const services = await initServices(config, { orm, log: silentLog });
  const app = buildApp({
    config,
    orm,
    log: silentLog,
    encryptionKey,
    scheduleSync: () => Promise.resolve(),
    services,
  });
  await app.ready();
  const workspaceId = await createWorkspace(orm);
  const otherWorkspaceId = await createWorkspace(orm);
  const { key } = await createApiKey(orm.em.fork(), { workspaceId, name: 'test' });
  const other = await createApiKey(orm.em.fork(), { workspaceId: otherWorkspaceId, name: 'other' });
  const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<OpenApiDoc>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const templates = Object.keys(doc.paths).map((p) => ({
    path: p,
    re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));

  const check = (method: string, url: string, res: LightMyRequestResponse) => {
    const path = url.split('?')[0] ?? url;
    const template = templates.find((t) => t.re.test(path));
    expect(template, `${method} ${path} is in the OpenAPI document`).toBeDefined();
    const op = doc.paths[template?.path ?? '']?.[method.toLowerCase()];
    expect(op, `${method} ${template?.path ?? path} is an operation of the document`).toBeDefined();
    const declared = op?.responses[String(res.statusCode)];
    expect(declared, `${method} ${path} declares ${String(res.statusCode)}`).toBeDefined();
    const schema = declared?.content?.['application/json']?.schema;
    if (schema !== undefined) {
      const valid = ajv.validate(schema as object, res.json());
      expect(valid, `${method} ${path} ${String(res.statusCode)}: ${ajv.errorsText()}`).toBe(true);
    }
  };

  return {
    app,
    services,
    config,
    workspaceId,
    key,
    other: { workspaceId: otherWorkspaceId, key: other.key },
    async call(method, url, opts = {}) {
      const as = opts.as === undefined ? key : opts.as;
      const res = await app.inject({
        method,
        url,
        headers: { ...(as === null ? {} : { authorization: `Bearer ${as}` }), ...opts.headers },
        ...(opts.body === undefined ? {} : { payload: opts.body as object }),
      });
      check(String(method), url, res);
      return res;
    },
    async close() {
      await app.close();
      await services.close();
    },
  };
}
