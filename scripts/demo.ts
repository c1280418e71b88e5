/**
 * `npm run demo`: the whole Gmail path on this machine. Starts the Gmail emulator with a bundled
 * mailbox (fixtures/mailbox, written for this project, plus generated mail: hundreds of messages),
 * connects it through the real OAuth flow over HTTP (start URL → consent → callback), syncs it
 * with a BullMQ worker through the real Gmail client, and prints what was created and skipped.
 * Needs PostgreSQL and Redis. Re-running is safe: the mailbox is reconnected and nothing is
 * created twice.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateMessages } from '../bench/generate-messages.ts';
import { loadConfig, parseConfig } from '../src/config.ts';
import { WorkspaceSchema } from '../src/db/entities/workspace.entity.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { migrate } from '../src/db/migrate.ts';
import { initORM } from '../src/db/orm.ts';
import { buildGmailEmulator } from '../src/emulators/gmail/gmail-emulator.ts';
import { loadEmlFolder } from '../src/emulators/gmail/load-fixtures.ts';
import { exportWorkspace } from '../src/export/export-workspace.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { mailboxStatus } from '../src/mailboxes/mailbox-status.ts';
import { createRedis, createSyncQueue } from '../src/queue/queues.ts';
import { runSyncNow } from '../src/queue/run-sync-now.ts';
import { enqueueMailboxSync } from '../src/queue/sync-runtime.ts';
import { renderDemoReport } from './demo-report.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/mailbox', import.meta.url));
const LOCAL = fileURLToPath(new URL('../.local', import.meta.url));
const WORKSPACE_NAME = 'Northwind Traders (demo)';
const OWNER = 'dana@northwindtraders.com';
const GENERATED = 240;

/** The demo's own encryption key, generated once into a git-ignored file; never a code default. */
async function demoKey(): Promise<string> {
  const file = `${LOCAL}/demo-encryption-key`;
  if (existsSync(file)) {
    return (await readFile(file, 'utf8')).trim();
  }
  await mkdir(LOCAL, { recursive: true });
  const key = randomBytes(32).toString('base64');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function follow(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) {
    throw new Error(
      `expected a redirect from ${new URL(url).pathname}, got ${res.status}: ${await res.text()}`,
    );
  }
  return location;
}

const base = await loadConfig();
const log = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel, 'mailroom-demo');
const started = performance.now();

// 1. The Gmail emulator, with Dana's mailbox.
const emulator = buildGmailEmulator();
const fixtureCount = await loadEmlFolder(emulator.store, OWNER, FIXTURES);
for (const m of generateMessages({
  count: GENERATED,
  seed: 2026,
  ownerEmail: OWNER,
  internalDomain: 'northwindtraders.com',
})) {
  emulator.store.addMessage(OWNER, m.raw);
}
const emulatorUrl = await emulator.app.listen({ port: 0, host: '127.0.0.1' });

// 2. Mailroom pointed at it.
const appPort = await freePort();
const config = parseConfig({
  ...process.env,
  DATABASE_URL: base.db.url,
  REDIS_URL: base.redis.url,
  MAILROOM_ENCRYPTION_KEY: base.encryptionKey ?? (await demoKey()),
  PUBLIC_URL: `http://127.0.0.1:${appPort}`,
  GOOGLE_CLIENT_ID: 'mailroom-demo',
  GOOGLE_CLIENT_SECRET: 'mailroom-demo-secret',
  GOOGLE_API_ROOT_URL: `${emulatorUrl}/`,
  GOOGLE_OAUTH_TOKEN_URL: `${emulatorUrl}/token`,
  GOOGLE_OAUTH_AUTH_URL: `${emulatorUrl}/o/oauth2/v2/auth`,
  MAILROOM_QUEUE_PREFIX: 'mailroom-demo',
  MAILROOM_GMAIL_QUOTA: 'old',
  MAILROOM_BACKFILL_DAYS: '0',
});
const applied = await migrate(config.db.url);
const orm = await initORM(config.db.url);
const queueConnection = createRedis(config, 'producer');
const queue = createSyncQueue(config, queueConnection);
const app = buildApp({
  config,
  orm,
  log,
  encryptionKey: config.encryptionKey ?? '',
  scheduleSync: async (id) => {
    await enqueueMailboxSync(queue, id);
  },
});
await app.listen({ port: appPort, host: '127.0.0.1' });

try {
  const em = orm.em.fork();
  const workspaceId =
    (await em.findOne(WorkspaceSchema, { name: WORKSPACE_NAME }))?.id ??
    (await createWorkspace(em, {
      name: WORKSPACE_NAME,
      internalDomains: ['northwindtraders.com'],
      // A lead-list spammer the team never wants in the CRM.
      blocklist: ['cheap-leads-4u.biz'],
    }));

  // 3. The OAuth flow, as a browser would walk it.
  const consentUrl = await follow(
    `${config.http.publicUrl}/oauth/google/start?workspace=${workspaceId}&email=${OWNER}`,
  );
  const callbackUrl = await follow(consentUrl);
  const connected = (await (await fetch(callbackUrl)).json()) as {
    mailboxId?: string;
    message?: string;
  };
  if (!connected.mailboxId) {
    throw new Error(`OAuth callback failed: ${connected.message ?? 'no mailbox'}`);
  }

  // 4. The first sync, queued by the callback, run by a worker.
  const result = await runSyncNow(config, orm, log, connected.mailboxId);
  const data = await exportWorkspace(orm.em.fork(), workspaceId);
  const status = (await mailboxStatus(orm.em.fork(), connected.mailboxId)) as {
    counts: {
      skippedMessages: Record<string, number>;
      skippedParticipants: Record<string, number>;
    };
  };
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    renderDemoReport({
      title: [
        `Mailroom demo: Gmail mailbox ${OWNER} (${fixtureCount} hand-written + ${GENERATED} generated messages)`,
        `connected through OAuth at ${config.http.publicUrl}, synced through BullMQ in ${seconds.toFixed(1)} s` +
          (applied.length > 0 ? `; migrations applied: ${applied.join(', ')}` : ''),
        `status ${result.status}, stage ${result.stage}, Gmail API requests ${emulator.stats.requests}`,
      ].join('\n'),
      counters: result.counters,
      extra: {
        fetched: result.fetched,
        'spam/trash/drafts excluded': result.excluded,
        failed: result.failed,
      },
      data,
      skippedMessages: status.counts.skippedMessages,
      skippedParticipants: status.counts.skippedParticipants,
      workspaceId: workspaceId,
    }),
  );
} finally {
  await app.close();
  await queue.close();
  queueConnection.disconnect();
  await orm.close(true);
  await emulator.app.close();
}
