import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Orm } from '../../src/db/orm.ts';
import {
  buildGraphEmulator,
  type GraphEmulator,
  type GraphEmulatorOptions,
} from '../../emulators/microsoft/graph-emulator.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { testDatabaseUrl, testRedisUrl } from './test-orm.ts';

/** A Graph emulator over HTTPS (the run's test certificate) and the config pointing at it. */
export interface GraphHarness {
  emulator: GraphEmulator;
  config: Config;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startGraphHarness(
  options: Omit<GraphEmulatorOptions, 'tls'> = {},
  env: Record<string, string> = {},
): Promise<GraphHarness> {
  const emulator = buildGraphEmulator({ tls: inject('tls'), requestsPerWindow: null, ...options });
  await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  const fullEnv = {
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MICROSOFT_CLIENT_ID: 'test-client',
    MICROSOFT_CLIENT_SECRET: 'test-secret',
    // The emulator writes `localhost` into its links; addressing it as 127.0.0.1 makes every test
    // prove that links are followed on the configured endpoint (the SDK would withhold the token).
    MICROSOFT_GRAPH_URL: emulator.baseUrl().replace('localhost', '127.0.0.1'),
    MICROSOFT_LOGIN_URL: emulator.baseUrl(),
    MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
    MAILROOM_BACKFILL_MAX_MESSAGES: '0',
    MAILROOM_JOB_LOCK_SECONDS: '3',
    // Fixed-date calendar fixtures stay inside the calendarView window for years.
    MAILROOM_CALENDAR_PAST_DAYS: '3650',
    MAILROOM_CALENDAR_FUTURE_DAYS: '3650',
    LOG_LEVEL: 'silent',
    NODE_EXTRA_CA_CERTS: inject('tls').certPath,
    ...env,
  };
  return {
    emulator,
    config: parseConfig(fullEnv),
    env: fullEnv,
    close: () => emulator.app.close(),
  };
}

export async function connectOutlookMailbox(
  orm: Orm,
  harness: GraphHarness,
  workspaceId: string,
  email: string,
): Promise<string> {
  harness.emulator.store.mailbox(email);
  return connectMailbox(orm.em.fork(), new SecretBox(harness.config.encryptionKey ?? ''), {
    workspaceId,
    provider: 'microsoft',
    email,
    refreshToken: harness.emulator.identity.issueRefreshToken(email),
    aliases: [],
    autoCreatePolicy: undefined,
  });
}
