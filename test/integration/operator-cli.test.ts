import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectMailboxViaCli, json, runCli } from '../helpers/run-cli.ts';
import { ingestRaw } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';
import { disconnectMailbox } from '../../src/mailboxes/disconnect-mailbox.ts';
import {
  markError,
  markReauthRequired,
  markSyncing,
} from '../../src/db/repositories/mailbox-health.repository.ts';
import { SYNC_QUEUE } from '../../src/queue/queues.ts';

/**
 * The operator commands of issue 10 item 18: workspace:list/update, mailbox:list,
 * mailbox:disconnect [--purge], mailbox:resync, through the real CLI (and a Gmail emulator where
 * a sync is needed).
 */
type Env = Record<string, string>;

interface WorkspaceView {
  id: string;
  name: string;
  internalDomains: string[];
  blocklist: string[];
  autoCreatePolicy: string;
  mailboxes: number;
}
interface MailboxSummary {
  id: string;
  email: string;
  status: string;
  autoCreatePolicy: string;
}
interface Exported {
  people: { email: string }[];
  emails: { mailboxEmail: string; internetMessageId: string }[];
  events: { mailboxEmail: string; title: string }[];
  activities: { type: string; personEmail: string }[];
}

const connect = async (env: Env, ws: string, email: string, extra: string[] = []) =>
  (await connectMailboxViaCli(env, ws, email, 'token', extra)).id;

async function withQueue<T>(env: Env, run: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  const queue = new Queue(SYNC_QUEUE, { connection, prefix: env['MAILROOM_QUEUE_PREFIX'] ?? '' });
  try {
    return await run(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** The ids of the mailbox's queued mail and calendar jobs, found by their deduplication ids. */
async function queuedJobIds(env: Env, mailboxId: string): Promise<string[]> {
  return withQueue(env, async (q) => {
    const ids = await Promise.all(
      [`mailbox-sync-${mailboxId}`, `calendar-sync-${mailboxId}`].map(async (d) => {
        const id = await q.getDeduplicationJobId(d);
        return id && (await q.getJob(id)) ? id : null;
      }),
    );
    return ids.filter((id): id is string => id !== null);
  });
}

describe('workspace:list, workspace:update, mailbox:list', () => {
  it('lists, replaces domains and blocklist, and applies a policy to old and new mailboxes', async ({
    gmail: h,
  }) => {
    const env = h.env;
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Ops', '--domain', 'ops.example'], env),
    );
    const first = await connect(env, ws, 'first@ops.example', ['--auto-create', 'sent']);
    const listed = json<{ workspaces: WorkspaceView[] }>(await runCli(['workspace:list'], env));
    expect(listed.workspaces.find((w) => w.id === ws)).toMatchObject({
      name: 'Ops',
      internalDomains: ['ops.example'],
      blocklist: [],
      autoCreatePolicy: 'sent_and_received',
      mailboxes: 1,
    });

    const updated = json<WorkspaceView>(
      await runCli(
        [
          'workspace:update',
          '--workspace',
          ws,
          '--domain',
          'Ops.Example',
          '--domain',
          'ops-eu.example',
          '--blocklist',
          'Spam.example',
          '--blocklist',
          'bad@x.example',
          '--policy',
          'none',
        ],
        env,
      ),
    );
    expect(updated).toMatchObject({
      id: ws,
      name: 'Ops',
      internalDomains: ['ops.example', 'ops-eu.example'],
      blocklist: ['spam.example', 'bad@x.example'],
      autoCreatePolicy: 'none',
    });
    // The new policy is every existing mailbox's and a new mailbox's default.
    const second = await connect(env, ws, 'second@ops.example');
    const { mailboxes } = json<{ mailboxes: MailboxSummary[] }>(
      await runCli(['mailbox:list', '--workspace', ws], env),
    );
    expect(mailboxes.map((m) => [m.id, m.email, m.status, m.autoCreatePolicy])).toEqual([
      [first, 'first@ops.example', 'active', 'none'],
      [second, 'second@ops.example', 'active', 'none'],
    ]);

    const cleared = json<WorkspaceView>(
      await runCli(['workspace:update', '--workspace', ws, '--clear-blocklist'], env),
    );
    expect(cleared).toMatchObject({ internalDomains: ['ops.example', 'ops-eu.example'] });
    expect(cleared.blocklist).toEqual([]);
  });

  it.for([
    [['workspace:update', '--workspace', randomUUID(), '--name', 'X'], /workspace .* not found/],
    [['workspace:update', '--workspace', randomUUID()], /nothing to change/],
    [
      ['workspace:update', '--workspace', randomUUID(), '--policy', 'all'],
      /--policy: must be none, sent or sent_and_received/,
    ],
    [
      ['workspace:update', '--workspace', randomUUID(), '--domain', 'a.example', '--clear-domains'],
      /--domain and --clear-domains cannot be given together/,
    ],
    [['mailbox:list', '--workspace', randomUUID()], /workspace .* not found/],
    [['mailbox:disconnect', '--mailbox', randomUUID()], /mailbox .* not found/],
    [['mailbox:resync', '--mailbox', randomUUID()], /mailbox .* not found/],
  ] as const)('%j fails with one line', async ([args, message], { gmail: h }) => {
    const result = await runCli([...args], h.env);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toMatch(message);
  });

  it('calendar accepts plain dates', async ({ gmail: h }) => {
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Dates'], h.env),
    );
    const view = json<{ events: unknown[] }>(
      await runCli(
        ['calendar', '--workspace', ws, '--from', '2026-12-01', '--to', '2026-12-31'],
        h.env,
      ),
    );
    expect(view).toEqual({ events: [] });
  });
});

describe('mailbox:disconnect', () => {
  it('removes its queued jobs, deletes its tokens, announces it once, and syncs no more', async ({
    gmail: h,
    orm,
  }) => {
    const env = h.env;
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Leaving', '--domain', 'leaving.example'], env),
    );
    h.emulator.store.user('rep@leaving.example');
    const refreshToken = h.emulator.auth.issueRefreshToken('rep@leaving.example');
    const mb = (await connectMailboxViaCli(env, ws, 'rep@leaving.example', refreshToken)).id;
    // mailbox:connect queued the first sync; no worker runs here, so the jobs wait.
    const jobIds = await queuedJobIds(env, mb);
    expect(jobIds).toHaveLength(2);

    const result = json<{ id: string; status: string; changed: boolean; removedJobs: string[] }>(
      await runCli(['mailbox:disconnect', '--mailbox', mb], env),
    );
    expect(result).toEqual({
      id: mb,
      status: 'disconnected',
      changed: true,
      // The refresh token the emulator issued is revoked there.
      grant: 'revoked',
      removedJobs: jobIds,
      purged: null,
    });
    expect(h.emulator.auth.revocations).toEqual([refreshToken]);
    expect(
      await withQueue(env, (q) =>
        Promise.all(jobIds.map(async (id) => (await q.getJob(id)) ?? null)),
      ),
    ).toEqual([null, null]);
    const em = orm.em.fork();
    const [row] = await em.execute<{ credentials: string | null; status: string }[]>(
      'select credentials, status from mailbox where id = ?',
      [mb],
    );
    expect(row).toEqual({ credentials: null, status: 'disconnected' });

    // Again: nothing changes and nothing is announced twice.
    const again = json<{ changed: boolean }>(
      await runCli(['mailbox:disconnect', '--mailbox', mb], env),
    );
    expect(again.changed).toBe(false);
    const events = await em.execute<{ type: string; payload: { email: string } }[]>(
      'select type, payload from outbox_event where aggregate_id = ? order by id',
      [mb],
    );
    expect(events).toEqual([
      {
        type: 'mailbox.connected',
        payload: { mailboxId: mb, email: 'rep@leaving.example', provider: 'google' },
      },
      {
        type: 'mailbox.disconnected',
        payload: { mailboxId: mb, email: 'rep@leaving.example', provider: 'google' },
      },
    ]);

    // A disconnected mailbox is neither synced nor resynced.
    const sync = await runCli(['sync', '--mailbox', mb], env);
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toMatch(/^error: .*disconnected/);
    const resync = await runCli(['mailbox:resync', '--mailbox', mb], env);
    expect(resync.code).not.toBe(0);
    expect(resync.stderr).toMatch(/^error: mailbox rep@leaving.example is disconnected/);
  });

  it("--purge deletes the mailbox's mail, meetings and the activities only they support; people stay", async ({
    gmail: h,
  }) => {
    const env = h.env;
    const [a, b] = ['a@purge.example', 'b@purge.example'];
    for (const rep of [a, b]) {
      h.emulator.store.user(rep);
    }
    // One message both reps got (one logical email), one only A got, and a meeting in A's calendar.
    const shared = buildEml({
      from: 'Xena <xena@cust.example>',
      to: [a, b],
      messageId: '<s@cust>',
    });
    h.emulator.store.addMessage(a, shared);
    h.emulator.store.addMessage(b, shared);
    h.emulator.store.addMessage(
      a,
      buildEml({ from: 'Yuri <yuri@cust.example>', to: [a], messageId: '<only-a@cust>' }),
    );
    h.emulator.calendars.upsertEvent(a, 'primary', {
      summary: 'Demo',
      start: { dateTime: '2026-09-01T10:00:00Z' },
      end: { dateTime: '2026-09-01T11:00:00Z' },
      organizer: { email: a },
      attendees: [{ email: a, responseStatus: 'accepted' }, { email: 'zoe@cust.example' }],
    });
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Purge', '--domain', 'purge.example'], env),
    );
    const connectReal = async (email: string) =>
      (await connectMailboxViaCli(env, ws, email, h.emulator.auth.issueRefreshToken(email))).id;
    // A syncs before B is connected, so the shared message's activity points at A's copy.
    const mbA = await connectReal(a);
    json(await runCli(['sync', '--mailbox', mbA], env));
    const mbB = await connectReal(b);
    json(await runCli(['sync', '--mailbox', mbB], env));
    const before = json<Exported>(await runCli(['export', '--workspace', ws], env));
    expect(before.emails).toHaveLength(3);
    expect(before.events).toHaveLength(1);
    expect(before.activities.map((x) => `${x.type} ${x.personEmail}`).sort()).toEqual([
      'EMAIL_RECEIVED xena@cust.example',
      'EMAIL_RECEIVED yuri@cust.example',
      'MEETING_SCHEDULED zoe@cust.example',
    ]);

    const result = json<{ purged: Record<string, number> }>(
      await runCli(['mailbox:disconnect', '--mailbox', mbA, '--purge'], env),
    );
    expect(result.purged).toEqual({
      emails: 2,
      calendarEvents: 1,
      activitiesDeleted: 2,
      activitiesMoved: 1,
    });
    const after = json<Exported>(await runCli(['export', '--workspace', ws], env));
    expect(after.emails.map((e) => [e.mailboxEmail, e.internetMessageId])).toEqual([
      [b, '<s@cust>'],
    ]);
    expect(after.events).toEqual([]);
    // Xena's activity is B's now; Yuri's and Zoe's had no other mailbox behind them.
    expect(after.activities.map((x) => `${x.type} ${x.personEmail}`)).toEqual([
      'EMAIL_RECEIVED xena@cust.example',
    ]);
    expect(after.people.map((p) => p.email).sort()).toEqual(
      before.people.map((p) => p.email).sort(),
    );
    const status = json<{ status: string; counts: { emails: number }; calendars: unknown[] }>(
      await runCli(['mailbox:status', '--mailbox', mbA], env),
    );
    expect(status).toMatchObject({ status: 'disconnected', counts: { emails: 0 }, calendars: [] });
  });

  it('purges in bounded batches, one transaction each', async ({ orm, pool }) => {
    const ws = await createWorkspace(orm, { domains: ['batch.example'] });
    const mb = await createMailbox(orm, ws, 'rep@batch.example');
    await ingestRaw(
      orm,
      pool,
      ws,
      mb,
      [0, 1, 2, 3, 4].map((i) =>
        buildEml({
          from: `P${i} <p${i}@cust.example>`,
          to: ['rep@batch.example'],
          messageId: `<b${i}@c>`,
        }),
      ),
    );
    const em = orm.em.fork();
    const statements: string[] = [];
    const spy = {
      removeJobs: () => Promise.resolve({ removed: [], running: [] }),
      runningJobs: () => Promise.resolve([]),
      enqueueSync: () => Promise.resolve([]),
    };
    const counted = new Proxy(em, {
      get(target, prop, receiver) {
        if (prop === 'transactional') {
          return (run: Parameters<typeof em.transactional>[0]) => {
            statements.push('tx');
            return target.transactional(run);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const result = await disconnectMailbox({ em: counted, jobs: spy, batchSize: 2 }, mb, {
      purge: true,
    });
    expect(result.purged).toMatchObject({ emails: 5, activitiesDeleted: 5, activitiesMoved: 0 });
    // disconnect + 3 mail batches + the empty probe for mail and for events + the leftovers.
    expect(statements).toHaveLength(1 + 3 + 1 + 1 + 1);
    const [left] = await em.execute<{ n: string }[]>(
      'select count(*) as n from email where mailbox_id = ?',
      [mb],
    );
    expect(Number(left?.n)).toBe(0);
  });
});

describe('a job still running when its mailbox is disconnected', () => {
  it('cannot put the mailbox back into a state the poller syncs', async ({ orm }) => {
    const ws = await createWorkspace(orm);
    const mb = await createMailbox(orm, ws, 'rep@running.example');
    const em = orm.em.fork();
    const noJobs = {
      removeJobs: () => Promise.resolve({ removed: [], running: [`mailbox-sync-${mb}`] }),
      runningJobs: () => Promise.resolve([]),
      enqueueSync: () => Promise.resolve([]),
    };
    await disconnectMailbox({ em, jobs: noJobs }, mb, { purge: false });
    // What the running job's failure handling and next start would do.
    await markError(em, mb, 'invalid_grant');
    await markReauthRequired(em, mb, 'invalid_grant');
    await markSyncing(em, mb, 60);
    const [row] = await em.execute<{ status: string }[]>(
      'select status from mailbox where id = ?',
      [mb],
    );
    expect(row?.status).toBe('disconnected');
  });
});

describe('mailbox:resync', () => {
  it('clears the checkpoints and queues a full sync that fetches what is missing, nothing else', async ({
    gmail: h,
    orm,
  }) => {
    const env = h.env;
    const rep = 'rep@resync.example';
    h.emulator.store.user(rep);
    for (let i = 0; i < 4; i++) {
      h.emulator.store.addMessage(
        rep,
        buildEml({ from: `C${i} <c${i}@cust.example>`, to: [rep], messageId: `<r${i}@cust>` }),
      );
    }
    const { id: ws } = json<{ id: string }>(
      await runCli(['workspace:create', '--name', 'Resync', '--domain', 'resync.example'], env),
    );
    const mb = (await connectMailboxViaCli(env, ws, rep, h.emulator.auth.issueRefreshToken(rep)))
      .id;
    expect(json<{ fetched: number }>(await runCli(['sync', '--mailbox', mb], env)).fetched).toBe(4);
    // A silent gap: one stored message lost; an incremental sync would never fetch it again.
    await orm.em
      .fork()
      .execute(`delete from email where mailbox_id = ? and internet_message_id = '<r2@cust>'`, [
        mb,
      ]);

    const queued = json<{ id: string; queuedJobs: string[] }>(
      await runCli(['mailbox:resync', '--mailbox', mb], env),
    );
    expect(queued).toEqual({ id: mb, queuedJobs: await queuedJobIds(env, mb) });
    expect(queued.queuedJobs).toHaveLength(2);
    const status = json<{ stages: object; cursors: object; calendars: { stage: string }[] }>(
      await runCli(['mailbox:status', '--mailbox', mb], env),
    );
    expect(status.stages).toEqual({});
    expect(status.cursors).toEqual({});
    expect(status.calendars.map((c) => c.stage)).toEqual(['pending']);

    const summary = json<{ fetched: number; alreadyStored: number; stage: string }>(
      await runCli(['sync', '--mailbox', mb], env),
    );
    expect(summary).toMatchObject({ fetched: 1, alreadyStored: 3, stage: 'incremental' });
    const after = json<{ counts: { emails: number } }>(
      await runCli(['mailbox:status', '--mailbox', mb], env),
    );
    expect(after.counts.emails).toBe(4);
  });
});
