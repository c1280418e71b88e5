import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Orm } from '../../src/db/orm.ts';
import {
  buildGmailEmulator,
  type GmailEmulator,
  type GmailEmulatorOptions,
} from '../../emulators/google/gmail-emulator.ts';
import { createLogger } from '../../src/logger.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { testDatabaseUrl, testRedisUrl } from './test-orm.ts';

/** A Gmail emulator on a free port, and the config that points Mailroom at it. */
export interface GmailHarness {
  emulator: GmailEmulator;
  url: string;
  config: Config;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startGmailHarness(
  options: GmailEmulatorOptions = {},
  env: Record<string, string> = {},
): Promise<GmailHarness> {
  const emulator = buildGmailEmulator(options);
  const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  const fullEnv = {
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    GOOGLE_CLIENT_ID: 'test-client',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    GOOGLE_API_ROOT_URL: `${url}/`,
    GOOGLE_OAUTH_TOKEN_URL: `${url}/token`,
    GOOGLE_OAUTH_AUTH_URL: `${url}/o/oauth2/v2/auth`,
    MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
    MAILROOM_GMAIL_QUOTA: 'off',
    MAILROOM_BACKFILL_DAYS: '0',
    MAILROOM_BACKFILL_MAX_MESSAGES: '0',
    MAILROOM_JOB_LOCK_SECONDS: '3',
    LOG_LEVEL: 'silent',
    ...env,
  };
  return {
    emulator,
    url,
    config: parseConfig(fullEnv),
    env: fullEnv,
    close: () => emulator.app.close(),
  };
}

export const silentLog = createLogger('silent');

/** A workspace with a Gmail mailbox whose refresh token the emulator issued. */
export async function connectGmailMailbox(
  orm: Orm,
  harness: GmailHarness,
  workspaceId: string,
  email: string,
): Promise<string> {
  harness.emulator.store.user(email);
  const refreshToken = harness.emulator.auth.issueRefreshToken(email);
  const box = new SecretBox(harness.config.encryptionKey ?? '');
  return connectMailbox(orm.em.fork(), box, {
    workspaceId,
    provider: 'google',
    email,
    refreshToken,
    aliases: [],
    autoCreatePolicy: undefined,
  });
}
