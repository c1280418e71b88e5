import { spawn, type ChildProcess } from 'node:child_process';
import { workerNodeFlags } from './worker-node-flags.ts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildGmailEmulator } from '../emulators/google/gmail-emulator.ts';
import { buildGraphEmulator } from '../emulators/microsoft/graph-emulator.ts';
import { localTls } from '../emulators/microsoft/local-tls.ts';
import { LOCAL_TLS_DIR } from './outlook-backfill.bench.ts';
import { scheduleFirstSync } from '../src/app/schedule-sync.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { initORM, type Orm } from '../src/db/orm.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv } from './bench-gmail.ts';
import { round } from './parse-baseline.ts';
import { benchEnv, connectBenchMailbox } from './time-first-sync.ts';

/**
 * `push [--provider google|microsoft]`: new mail → activity latency with push. `npm start` and
 * `npm run worker` run as real processes against a Gmail emulator that publishes `users.watch`
 * notifications to an emulated Pub/Sub push subscription (OIDC-signed, verified by the API), or a
 * Graph emulator whose subscriptions (made through the validation handshake) notify the API.
 * Polling is set to an hour, so only a push brings mail in. Each of `--messages` messages is added
 * to the mailbox's inbox, one at a time (for Gmail at least a second apart: it drops a user's
 * pushes closer than that), and its latency is from the moment it was added to the `created_at`
 * of its activity.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOPIC = 'projects/mailroom-bench/topics/gmail';
const AUDIENCE = 'https://mailroom.bench/push/google';
const BOUND_MS = 60_000;

/** One provider's side of the bench: its emulator, the settings for it, and how mail arrives. */
interface PushProvider {
  name: 'google' | 'microsoft';
  env: (apiUrl: string) => Record<string, string>;
  /** After the API listens: where the provider pushes (Pub/Sub subscription). */
  subscribe: (apiUrl: string) => void;
  refreshToken: () => string;
  /** The mailbox's channels are open at the provider. */
  channelsOpen: () => boolean;
  addMessage: (raw: Buffer) => Promise<void>;
  /** Least time between two messages (Gmail drops a user's pushes closer than a second). */
  spacingMs: number;
  stats: () => Record<string, number>;
  close: () => Promise<void>;
}

async function gmailProvider(): Promise<PushProvider> {
  const emulator = buildGmailEmulator({});
  const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  emulator.store.user(OWNER);
  return {
    name: 'google',
    env: () => ({
      ...benchGmailEnv(url),
      GOOGLE_PUBSUB_TOPIC: TOPIC,
      GOOGLE_PUBSUB_AUDIENCE: AUDIENCE,
    }),
    subscribe: (apiUrl) => {
      emulator.pubsub.subscribe({
        topic: TOPIC,
        pushEndpoint: `${apiUrl}/push/google`,
        audience: AUDIENCE,
      });
    },
    refreshToken: () => emulator.auth.issueRefreshToken(OWNER),
    channelsOpen: () => emulator.watches.of(OWNER) !== null,
    addMessage: (raw) => {
      emulator.store.addMessage(OWNER, raw);
      return Promise.resolve();
    },
    spacingMs: 1_050,
    stats: () => ({
      pushesDelivered: emulator.stats.push.delivered,
      pushesDropped: emulator.stats.push.dropped,
    }),
    close: () => emulator.app.close(),
  };
}

async function graphProvider(): Promise<PushProvider> {
  const emulator = buildGraphEmulator({
    tls: await localTls(LOCAL_TLS_DIR),
    requestsPerWindow: null,
    // The bench's API listens on plain http on 127.0.0.1; real Graph demands https.
    allowHttpNotifications: true,
  });
  await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  emulator.store.mailbox(OWNER);
  return {
    name: 'microsoft',
    env: () => ({
      MICROSOFT_CLIENT_ID: 'bench',
      MICROSOFT_CLIENT_SECRET: 'bench',
      MICROSOFT_GRAPH_URL: emulator.baseUrl(),
      MICROSOFT_LOGIN_URL: emulator.baseUrl(),
      MAILROOM_BACKFILL_MAX_MESSAGES: '0',
      MAILROOM_GRAPH_REQUESTS_PER_WINDOW: '0',
    }),
    subscribe: () => undefined,
    refreshToken: () => emulator.identity.issueRefreshToken(OWNER),
    // Inbox and Sent Items (the calendar is off in this bench).
    channelsOpen: () => emulator.subscriptions.of(OWNER).length === 2,
    addMessage: async (raw) => {
      await emulator.addMime(OWNER, 'inbox', raw);
    },
    spacingMs: 0,
    stats: () => ({
      notificationsDelivered: emulator.stats.notifications.delivered,
      notificationsSlow: emulator.stats.notifications.slow,
    }),
    close: () => emulator.app.close(),
  };
}

export async function benchPush(
  base: Config,
  opts: { messages: number; provider: 'google' | 'microsoft' },
): Promise<Record<string, unknown>> {
  const provider = opts.provider === 'google' ? await gmailProvider() : await graphProvider();
  const children: ChildProcess[] = [];
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const apiUrl = `http://127.0.0.1:${String(port)}`;
      const env = {
        ...benchEnv(base, dbUrl),
        ...provider.env(apiUrl),
        PORT: String(port),
        PUBLIC_URL: apiUrl,
        MAILROOM_PUSH: 'on',
        MAILROOM_POLL_INTERVAL_SECONDS: '3600',
        MAILROOM_PUSH_POLL_INTERVAL_SECONDS: '3600',
        MAILROOM_CALENDAR_SYNC: 'off',
        MAILROOM_METRICS: 'off',
      };
      const config = parseConfig(env);
      provider.subscribe(apiUrl);
      children.push(start('src/main.ts', env), start('src/worker.ts', env, workerNodeFlags()));
      await until(
        async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok === true,
        'the API',
      );
      const orm = await initORM(config.db.url);
      try {
        const mailboxId = await connectBenchMailbox(orm, config, {
          provider: provider.name,
          email: OWNER,
          refreshToken: provider.refreshToken(),
        });
        await scheduleFirstSync(config, mailboxId);
        await until(() => Promise.resolve(provider.channelsOpen()), 'the push channels');
        await until(async () => (await lastSynced(orm, mailboxId)) !== null, 'the first sync');
        // The watch's own first notification opened Gmail's one-per-second window.
        await sleep(provider.spacingMs);
        const latencies: number[] = [];
        for (let i = 0; i < opts.messages; i++) {
          const messageId = `<${randomUUID()}@bench.example>`;
          const added = Date.now();
          await provider.addMessage(mail(messageId, i));
          let createdAt: Date | null = null;
          await until(
            async () => {
              createdAt = await activityCreatedAt(orm, messageId);
              return createdAt !== null;
            },
            `the activity of message ${String(i)}`,
          );
          latencies.push((createdAt as unknown as Date).getTime() - added);
          await sleep(Math.max(0, provider.spacingMs - (Date.now() - added)));
        }
        latencies.sort((a, b) => a - b);
        const q = (p: number) =>
          latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? 0;
        return {
          scenario: 'push',
          provider: provider.name,
          messages: opts.messages,
          pollIntervalSeconds: 3600,
          latencyP50Ms: q(0.5),
          latencyP95Ms: q(0.95),
          latencyMaxMs: latencies.at(-1) ?? 0,
          latencyMeanMs: round(latencies.reduce((sum, v) => sum + v, 0) / latencies.length),
          ...provider.stats(),
        };
      } finally {
        await orm.close(true);
        // Before the database is dropped: the processes would see their connections cut.
        await Promise.all(children.map(stopChild));
      }
    });
  } finally {
    await Promise.all(children.map(stopChild));
    await provider.close();
  }
}

function start(script: string, env: Record<string, string>, flags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...flags, script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  child.kill('SIGKILL');
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`push bench: no ${what} within ${String(BOUND_MS / 1000)} s`);
    }
    await sleep(10);
  }
}

async function lastSynced(orm: Orm, mailboxId: string): Promise<Date | null> {
  const rows = await orm.em
    .fork()
    .execute<{ at: Date | null }[]>('select last_synced_at as at from mailbox where id = ?', [
      mailboxId,
    ]);
  return rows[0]?.at ?? null;
}

async function activityCreatedAt(orm: Orm, messageId: string): Promise<Date | null> {
  const rows = await orm.em
    .fork()
    .execute<{ at: Date }[]>(
      'select min(created_at) as at from activity where internet_message_id = ?',
      [messageId],
    );
  return rows[0]?.at ? new Date(rows[0].at) : null;
}

function mail(messageId: string, i: number): Buffer {
  return Buffer.from(
    [
      `From: Kim Lee <kim${String(i % 7)}@fabrikam.example>`,
      `To: ${OWNER}`,
      `Subject: Pushed ${String(i)}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: ${messageId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Message ${String(i)} for the push benchmark.`,
      '',
    ].join('\r\n'),
  );
}
