/**
 * `npm run demo`: the whole path on this machine, for both providers. Starts the Gmail emulator
 * with Dana's mailbox (fixtures/mailbox, written for this project, plus generated mail) and the
 * Graph emulator (HTTPS) with her colleague Li's Outlook mailbox, which shares some threads;
 * connects both through the real OAuth flows over HTTP (connect link → start → consent →
 * callback, carrying the flow cookie as a browser does), syncs
 * them with BullMQ workers through the real Gmail and Graph clients, and prints what was created
 * and skipped.
 * Needs PostgreSQL and Redis. Re-running is safe: the mailbox is reconnected and nothing is
 * created twice.
 *
 * `npm run demo -- --serve` then keeps the server up (API, web views at /app) with the emulators,
 * and prints the /app URL and an API key to sign in with, until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateMessages } from '../bench/generate-messages.ts';
import { loadConfig, parseConfig } from '../src/config.ts';
import { WorkspaceSchema } from '../src/db/entities/workspace.entity.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { migrate } from '../src/db/migrate.ts';
import { initORM } from '../src/db/orm.ts';
import { buildGmailEmulator } from '../emulators/google/gmail-emulator.ts';
import { loadEmlFolder } from '../emulators/google/load-fixtures.ts';
import { buildGraphEmulator } from '../emulators/microsoft/graph-emulator.ts';
import { localTls } from '../emulators/microsoft/local-tls.ts';
import { exportWorkspace } from '../src/export/export-workspace.ts';
import { createConnectLink } from '../src/mailboxes/connect-link.ts';
import { addCounters, emptyCounters } from '../src/ingest/ingest-types.ts';
import { buildApp } from '../src/http/app.ts';
import { createLogger } from '../src/logger.ts';
import { mailboxStatus } from '../src/mailboxes/mailbox-status.ts';
import { createRedis, createSyncQueue } from '../src/queue/queues.ts';
import { runSyncNow } from '../src/app/run-sync-now.ts';
import { enqueueMailboxSync } from '../src/app/schedule-sync.ts';
import { initServices } from '../src/app/services.ts';
import { createApiKey } from '../src/workspaces/api-keys.ts';
import { seedDemoCalendars } from './demo-calendars.ts';
import { renderDemoReport } from './demo-report.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/mailbox', import.meta.url));
const LOCAL = fileURLToPath(new URL('../.local', import.meta.url));
const WORKSPACE_NAME = 'Northwind Traders (demo)';
const OWNER = 'dana@northwindtraders.com';
const GENERATED = 240;
const LI = 'li.chen@northwindtraders.com';
const GENERATED_OUTLOOK = 150;

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

/** Follows one redirect; `cookie` is sent and any Set-Cookie returned, as a browser would. */
async function follow(
  url: string,
  cookie?: string,
): Promise<{ location: string; setCookie: string | null }> {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) {
    throw new Error(
      `expected a redirect from ${new URL(url).pathname}, got ${res.status}: ${await res.text()}`,
    );
  }
  return { location, setCookie: res.headers.get('set-cookie') };
}

// The Outlook emulator serves HTTPS with a local certificate; Node trusts extra CAs only from
// NODE_EXTRA_CA_CERTS at startup, so the demo re-runs itself with it set.
const tls = await localTls(LOCAL);
if (process.env['NODE_EXTRA_CA_CERTS'] !== tls.certPath) {
  const child = spawnSync(process.execPath, process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath },
  });
  process.exit(child.status ?? 1);
}

const serve = process.argv.includes('--serve');
const base = await loadConfig();
const log = createLogger(base.logLevel === 'info' ? 'warn' : base.logLevel, 'mailroom-demo');
const started = performance.now();

// 1. The emulators: Dana's Gmail, and her colleague Li's Outlook (which shares some threads).
const gmail = buildGmailEmulator();
const fixtureCount = await loadEmlFolder(gmail.store, OWNER, FIXTURES);
for (const m of generateMessages({
  count: GENERATED,
  seed: 2026,
  ownerEmail: OWNER,
  internalDomain: 'northwindtraders.com',
})) {
  gmail.store.addMessage(OWNER, m.raw);
}
const gmailUrl = await gmail.app.listen({ port: 0, host: '127.0.0.1' });

const graph = buildGraphEmulator({ tls });
let liShared = 0;
for (const file of (await readdir(FIXTURES)).filter((f) => f.endsWith('.eml')).sort()) {
  const raw = await readFile(join(FIXTURES, file));
  const head = raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
  if (/^(To|Cc):.*li\.chen@northwindtraders\.com/im.test(head)) {
    await graph.addMime(LI, 'inbox', raw);
    liShared++;
  } else if (/^From:.*li\.chen@northwindtraders\.com/im.test(head)) {
    await graph.addMime(LI, 'sentitems', raw);
    liShared++;
  }
}
for (const m of generateMessages({
  count: GENERATED_OUTLOOK,
  seed: 2027,
  ownerEmail: LI,
  internalDomain: 'northwindtraders.com',
})) {
  const head = m.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  await graph.addMime(LI, /^From:.*li\.chen@/im.test(head) ? 'sentitems' : 'inbox', m.raw);
}
const meetings = seedDemoCalendars(gmail, graph, { dana: OWNER, li: LI });
await graph.app.listen({ port: 0, host: '127.0.0.1' });

// 2. Mailroom pointed at them.
const appPort = await freePort();
const config = parseConfig({
  ...process.env,
  DATABASE_URL: base.db.url,
  REDIS_URL: base.redis.url,
  MAILROOM_ENCRYPTION_KEY: base.encryptionKey ?? (await demoKey()),
  PUBLIC_URL: `http://127.0.0.1:${appPort}`,
  GOOGLE_CLIENT_ID: 'mailroom-demo',
  GOOGLE_CLIENT_SECRET: 'mailroom-demo-secret',
  GOOGLE_API_ROOT_URL: `${gmailUrl}/`,
  GOOGLE_OAUTH_TOKEN_URL: `${gmailUrl}/token`,
  GOOGLE_OAUTH_AUTH_URL: `${gmailUrl}/o/oauth2/v2/auth`,
  MICROSOFT_CLIENT_ID: 'mailroom-demo',
  MICROSOFT_CLIENT_SECRET: 'mailroom-demo-secret',
  MICROSOFT_GRAPH_URL: graph.baseUrl(),
  MICROSOFT_LOGIN_URL: graph.baseUrl(),
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
    await enqueueMailboxSync(queue, id, config.sync.calendarSync);
  },
});
await app.listen({ port: appPort, host: '127.0.0.1' });
// Closed early by --serve, which serves the full app on the same port.
const appState = { open: true };

/**
 * The OAuth flow as a browser walks it, from the connect link `mailbox:connect-url` prints (the
 * flow cookie from /start goes back with the callback), then the first sync the callback queued.
 */
async function connectAndSync(
  provider: 'google' | 'microsoft',
  email: string,
  workspaceId: string,
) {
  const { url } = await createConnectLink(orm.em.fork(), config, {
    workspaceId,
    provider,
    loginHint: email,
  });
  const start = await follow(url);
  const flowCookie = start.setCookie?.split(';')[0];
  const consent = await follow(start.location);
  const connected = (await (
    await fetch(consent.location, { headers: flowCookie ? { cookie: flowCookie } : {} })
  ).json()) as {
    mailboxId?: string;
    message?: string;
  };
  if (!connected.mailboxId) {
    throw new Error(`OAuth callback failed: ${connected.message ?? 'no mailbox'}`);
  }
  const result = await runSyncNow(config, orm, log, connected.mailboxId);
  const status = (await mailboxStatus(orm.em.fork(), connected.mailboxId)) as {
    counts: {
      skippedMessages: Record<string, number>;
      skippedParticipants: Record<string, number>;
    };
  };
  return { result, status };
}

/**
 * `--serve`: the app as `npm start` serves it (API, /app, tracking), on the demo's PUBLIC_URL, with
 * a fresh API key for the demo workspace, until SIGINT or SIGTERM.
 */
async function serveUntilStopped(workspaceId: string): Promise<void> {
  await app.close();
  appState.open = false;
  const services = await initServices(config, { orm, log, name: 'mailroom-demo' });
  const served = buildApp({
    config,
    orm,
    log,
    encryptionKey: config.encryptionKey ?? '',
    scheduleSync: async (id) => {
      await enqueueMailboxSync(queue, id, config.sync.calendarSync);
    },
    services,
  });
  await served.listen({ port: appPort, host: '127.0.0.1' });
  const { key } = await createApiKey(orm.em.fork(), { workspaceId, name: 'demo --serve' });
  process.stdout.write(
    `\nServing ${config.http.publicUrl}/app/ (Ctrl-C to stop)\n` +
      `Sign in with this API key (shown once): ${key}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await served.close();
  await services.close();
}

const sum = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) {
    into[k] = (into[k] ?? 0) + v;
  }
};

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

  const dana = await connectAndSync('google', OWNER, workspaceId);
  const li = await connectAndSync('microsoft', LI, workspaceId);
  // A customer cancels a meeting; Dana's next sync (incremental) picks it up.
  meetings.cancelAfterFirstSync();
  const danaAgain = await runSyncNow(config, orm, log, dana.result.mailboxId);
  const counters = emptyCounters();
  addCounters(counters, dana.result.counters);
  addCounters(counters, li.result.counters);
  const skippedMessages: Record<string, number> = {};
  const skippedParticipants: Record<string, number> = {};
  for (const run of [dana, li]) {
    sum(skippedMessages, run.status.counts.skippedMessages);
    sum(skippedParticipants, run.status.counts.skippedParticipants);
  }
  const calendarTotal = (key: 'peopleCreated' | 'activitiesCreated') =>
    [dana.result, li.result, danaAgain].reduce((n, r) => n + (r.calendar?.[key] ?? 0), 0);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    renderDemoReport({
      title: [
        `Mailroom demo, workspace "${WORKSPACE_NAME}", ${seconds.toFixed(1)} s` +
          (applied.length > 0 ? `; migrations applied: ${applied.join(', ')}` : ''),
        `  Gmail   ${OWNER}: ${fixtureCount} hand-written + ${GENERATED} generated messages; ${dana.result.status}, ${gmail.stats.requests} Gmail API requests`,
        `  Outlook ${LI}: ${liShared} shared with Dana + ${GENERATED_OUTLOOK} generated; ${li.result.status}, ${graph.stats.requests} Graph requests`,
        `  calendars: ${meetings.google} Google events (Dana), ${meetings.outlook} Outlook events (Li); ` +
          `this run: ${calendarTotal('peopleCreated')} people created from meetings, ${calendarTotal('activitiesCreated')} meeting activities`,
        `  both connected through OAuth at ${config.http.publicUrl} and synced by BullMQ workers`,
      ].join('\n'),
      counters,
      extra: {
        fetched: dana.result.fetched + li.result.fetched,
        'spam/trash/drafts excluded': dana.result.excluded + li.result.excluded,
        failed: dana.result.failed + li.result.failed,
      },
      data: await exportWorkspace(orm.em.fork(), workspaceId),
      skippedMessages,
      skippedParticipants,
      workspaceId,
    }),
  );
  if (serve) {
    await serveUntilStopped(workspaceId);
  }
} finally {
  if (appState.open) {
    await app.close();
  }
  await queue.close();
  queueConnection.disconnect();
  await orm.close(true);
  await gmail.app.close();
  await graph.app.close();
}
