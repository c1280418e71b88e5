import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildGmailEmulator } from '../emulators/google/gmail-emulator.ts';
import { scheduleFirstSync } from '../src/app/schedule-sync.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { initORM, type Orm } from '../src/db/orm.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv } from './bench-gmail.ts';
import { round } from './parse-baseline.ts';
import { benchEnv, connectBenchMailbox } from './time-first-sync.ts';

/**
 * `push`: new mail → activity latency with push. `npm start` and `npm run worker` run as real
 * processes against a Gmail emulator that publishes `users.watch` notifications to an emulated
 * Pub/Sub push subscription (OIDC-signed, verified by the API); polling is set to an hour, so only
 * a push brings mail in. Each of `--messages` messages is added to the mailbox, one at a time and
 * at least a second apart (Gmail drops a user's pushes closer than that), and its latency is from
 * the moment it was added to the `created_at` of its activity.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOPIC = 'projects/mailroom-bench/topics/gmail';
const AUDIENCE = 'https://mailroom.bench/push/google';
/** Gmail's one push per second per user, with a margin. */
const PUSH_SPACING_MS = 1_050;
const BOUND_MS = 60_000;

export async function benchPush(
  base: Config,
  opts: { messages: number },
): Promise<Record<string, unknown>> {
  const emulator = buildGmailEmulator({});
  const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  const children: ChildProcess[] = [];
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const apiUrl = `http://127.0.0.1:${String(port)}`;
      const env = {
        ...benchEnv(base, dbUrl),
        ...benchGmailEnv(url),
        PORT: String(port),
        PUBLIC_URL: apiUrl,
        MAILROOM_PUSH: 'on',
        GOOGLE_PUBSUB_TOPIC: TOPIC,
        GOOGLE_PUBSUB_AUDIENCE: AUDIENCE,
        GOOGLE_OAUTH_CERTS_URL: `${url}/oauth2/v1/certs`,
        MAILROOM_POLL_INTERVAL_SECONDS: '3600',
        MAILROOM_PUSH_POLL_INTERVAL_SECONDS: '3600',
        MAILROOM_CALENDAR_SYNC: 'off',
        MAILROOM_METRICS: 'off',
      };
      const config = parseConfig(env);
      emulator.pubsub.subscribe({
        topic: TOPIC,
        pushEndpoint: `${apiUrl}/push/google`,
        audience: AUDIENCE,
      });
      children.push(start('src/main.ts', env), start('src/worker.ts', env));
      await until(
        async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok === true,
        'the API',
      );
      const orm = await initORM(config.db.url);
      try {
        emulator.store.user(OWNER);
        const mailboxId = await connectBenchMailbox(orm, config, {
          provider: 'google',
          email: OWNER,
          refreshToken: emulator.auth.issueRefreshToken(OWNER),
        });
        await scheduleFirstSync(config, mailboxId);
        await until(() => Promise.resolve(emulator.watches.of(OWNER) !== null), 'the watch');
        await until(async () => (await lastSynced(orm, mailboxId)) !== null, 'the first sync');
        await sleep(PUSH_SPACING_MS);
        const latencies: number[] = [];
        for (let i = 0; i < opts.messages; i++) {
          const messageId = `<${randomUUID()}@bench.example>`;
          const added = Date.now();
          emulator.store.addMessage(OWNER, mail(messageId, i));
          let createdAt: Date | null = null;
          await until(
            async () => {
              createdAt = await activityCreatedAt(orm, messageId);
              return createdAt !== null;
            },
            `the activity of message ${String(i)}`,
          );
          latencies.push((createdAt as unknown as Date).getTime() - added);
          await sleep(Math.max(0, PUSH_SPACING_MS - (Date.now() - added)));
        }
        latencies.sort((a, b) => a - b);
        const q = (p: number) =>
          latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? 0;
        return {
          scenario: 'push',
          provider: 'google',
          messages: opts.messages,
          pollIntervalSeconds: 3600,
          latencyP50Ms: q(0.5),
          latencyP95Ms: q(0.95),
          latencyMaxMs: latencies.at(-1) ?? 0,
          latencyMeanMs: round(latencies.reduce((s, v) => s + v, 0) / latencies.length),
          pushesDelivered: emulator.stats.push.delivered,
          pushesDropped: emulator.stats.push.dropped,
        };
      } finally {
        await orm.close(true);
        // Before the database is dropped: the processes would see their connections cut.
        await Promise.all(children.map(stopChild));
      }
    });
  } finally {
    await Promise.all(children.map(stopChild));
    await emulator.app.close();
  }
}

function start(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [script], {
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
