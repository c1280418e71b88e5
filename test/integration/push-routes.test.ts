import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { checkPushJob } from '../../jobs/check-push.job.ts';
import { mailboxPushJob } from '../../jobs/mailbox-push.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { Orm } from '../../src/db/orm.ts';
import {
  pushChannelsOf,
  savePushChannel,
} from '../../src/db/repositories/push-channel.repository.ts';
import { hashClientState } from '../../src/push/client-state.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { sampleSum } from '../helpers/prometheus-text.ts';
import { createMailbox, createWorkspace, openTestOrm } from '../helpers/test-orm.ts';

/**
 * Issue 15: `POST /push/google` and `POST /push/microsoft` on the real app, PostgreSQL and Redis,
 * and the push check's tick.
 * A believed push only queues the mailbox's sync under its deduplication id (a burst is one job);
 * bogus ones (malformed, unknown mailbox, wrong clientState, no valid token) are answered and
 * queue nothing. End-to-end runs against pushing emulators are in push-*.test.ts.
 */
let orm: Orm;
let api: ApiHarness;
const HOUR = 3600_000;

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm, {
    MAILROOM_PUSH: 'on',
    GOOGLE_PUBSUB_TOPIC: 'projects/mailroom-test/topics/gmail',
  });
});

afterAll(async () => {
  await api.close();
  await orm.close(true);
});

const queue = () => api.services.syncQueue();

/** The id of the job holding `def`'s deduplication id for the mailbox, if one is queued. */
async function queuedJob(
  def: { deduplicationId: (d: { mailboxId: string }) => string },
  mailboxId: string,
): Promise<string | null> {
  return (await queue().getDeduplicationJobId(def.deduplicationId({ mailboxId }))) ?? null;
}

/** A Gmail mailbox, watched unless `renewIn` is null (then its watch is due in `renewIn` ms). */
async function gmailMailbox(
  email = `${randomUUID()}@northwind.com`,
  renewIn: number | null = 24 * HOUR,
): Promise<string> {
  const id = await createMailbox(orm, await createWorkspace(orm), email);
  if (renewIn !== null) {
    await savePushChannel(orm.em.fork(), {
      mailboxId: id,
      resource: 'mail',
      externalId: null,
      clientStateHash: null,
      expiresAt: new Date(Date.now() + 7 * 24 * HOUR),
      renewAt: new Date(Date.now() + renewIn),
    });
  }
  return id;
}

/** An Outlook mailbox with an inbox and a calendar subscription; answers their clientStates. */
async function outlookMailbox(): Promise<{
  id: string;
  inbox: { sub: string; state: string };
  calendar: { sub: string; state: string };
}> {
  const id = await createMailbox(orm, await createWorkspace(orm), `${randomUUID()}@contoso.com`);
  await orm.em.fork().execute(`update mailbox set provider = 'microsoft' where id = ?`, [id]);
  const channel = async (resource: string) => {
    const sub = randomUUID();
    const state = `state-${randomUUID()}`;
    await savePushChannel(orm.em.fork(), {
      mailboxId: id,
      resource,
      externalId: sub,
      clientStateHash: hashClientState(state),
      expiresAt: new Date(Date.now() + 48 * HOUR),
      renewAt: new Date(Date.now() + 24 * HOUR),
    });
    return { sub, state };
  };
  return { id, inbox: await channel('mail:inbox'), calendar: await channel('calendar') };
}

const pubsub = (data: unknown, raw = false) => ({
  message: {
    data: raw ? String(data) : Buffer.from(JSON.stringify(data)).toString('base64'),
    messageId: randomUUID(),
    publishTime: new Date().toISOString(),
  },
  subscription: 'projects/mailroom-test/subscriptions/gmail-push',
});

const postGoogle = (payload: unknown, headers: Record<string, string> = {}) =>
  api.app.inject({
    method: 'POST',
    url: '/push/google',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

const postGraph = (value: unknown[]) =>
  api.app.inject({
    method: 'POST',
    url: '/push/microsoft',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ value }),
  });

const pushMetric = async (provider: string, outcome: string) =>
  sampleSum(
    (await api.app.inject({ method: 'GET', url: '/metrics' })).body,
    'mailroom_push_received_total',
    { provider, outcome },
  );

describe('POST /push/google', () => {
  it('wakes the mail sync once for a burst, historyId as a string or a number', async () => {
    const email = `${randomUUID()}@northwind.com`;
    const mailbox = await gmailMailbox(email);
    const before = await pushMetric('google', 'woken');
    const answers = await Promise.all([
      postGoogle(pubsub({ emailAddress: email, historyId: '1234567890' })),
      postGoogle(pubsub({ emailAddress: email.toUpperCase(), historyId: 1234567891 })),
      postGoogle(pubsub({ emailAddress: email, historyId: '1234567892' })),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([204, 204, 204]);
    const jobId = await queuedJob(mailboxSyncJob, mailbox);
    expect(jobId).not.toBeNull();
    const waiting = (await queue().getJobs(['waiting', 'delayed', 'prioritized'])).filter(
      (j) => (j.data as { mailboxId?: string }).mailboxId === mailbox,
    );
    expect(waiting.map((j) => j.name)).toEqual([mailboxSyncJob.name]);
    expect(await queuedJob(calendarSyncJob, mailbox)).toBeNull();
    expect((await pushMetric('google', 'woken')) - before).toBe(3);
  });

  it('acknowledges bogus pushes and wakes nothing', async () => {
    const unwatched = `${randomUUID()}@northwind.com`;
    const mailbox = await gmailMailbox(unwatched, null);
    const before = await pushMetric('google', 'ignored');
    const bogus = [
      'not json at all',
      { hello: 'world' },
      pubsub('%%% not base64 json %%%', true),
      pubsub({ emailAddress: unwatched }),
      pubsub({ emailAddress: unwatched, historyId: 'abc' }),
      pubsub({ emailAddress: `${randomUUID()}@nobody.example`, historyId: '5' }),
      // A mailbox Mailroom has but does not watch (push set up later, or never).
      pubsub({ emailAddress: unwatched, historyId: '5' }),
    ];
    for (const body of bogus) {
      expect((await postGoogle(body)).statusCode).toBe(204);
    }
    const empty = await api.app.inject({ method: 'POST', url: '/push/google' });
    expect(empty.statusCode).toBe(204);
    expect(await queuedJob(mailboxSyncJob, mailbox)).toBeNull();
    expect((await pushMetric('google', 'ignored')) - before).toBe(bogus.length + 1);
  });

  it('wakes nothing for a mailbox that no longer syncs', async () => {
    const email = `${randomUUID()}@northwind.com`;
    const mailbox = await gmailMailbox(email);
    await orm.em
      .fork()
      .execute(`update mailbox set status = 'disconnected' where id = ?`, [mailbox]);
    expect((await postGoogle(pubsub({ emailAddress: email, historyId: '9' }))).statusCode).toBe(
      204,
    );
    expect(await queuedJob(mailboxSyncJob, mailbox)).toBeNull();
  });
});

describe('POST /push/microsoft', () => {
  it('answers the validation handshake with the decoded token as plain text', async () => {
    const token =
      'Validation: Testing client application reachability for subscription Request-Id: 5c0b4c5e-7b3a';
    const res = await api.app.inject({
      method: 'POST',
      url: `/push/microsoft?validationToken=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe(token);
  });

  it('wakes the mail or calendar sync for notifications with the right clientState', async () => {
    const box = await outlookMailbox();
    const item = (c: { sub: string; state: string }, changeType = 'created') => ({
      subscriptionId: c.sub,
      clientState: c.state,
      changeType,
      resource: `Users/x/Messages/${randomUUID()}`,
      resourceData: { id: randomUUID() },
    });
    const res = await postGraph([item(box.inbox), item(box.inbox, 'updated'), item(box.calendar)]);
    expect(res.statusCode).toBe(202);
    expect(await queuedJob(mailboxSyncJob, box.id)).not.toBeNull();
    expect(await queuedJob(calendarSyncJob, box.id)).not.toBeNull();
  });

  it('rejects notifications whose clientState or subscription is not ours', async () => {
    const box = await outlookMailbox();
    const before = await pushMetric('microsoft', 'rejected');
    const res = await postGraph([
      { subscriptionId: box.inbox.sub, clientState: box.calendar.state, changeType: 'created' },
      { subscriptionId: box.inbox.sub, clientState: `${box.inbox.state}x`, changeType: 'created' },
      { subscriptionId: box.inbox.sub, changeType: 'created' },
      { subscriptionId: box.inbox.sub, clientState: 42, changeType: 'created' },
      { subscriptionId: randomUUID(), clientState: box.inbox.state, changeType: 'created' },
    ]);
    expect(res.statusCode).toBe(202);
    expect(await queuedJob(mailboxSyncJob, box.id)).toBeNull();
    expect((await pushMetric('microsoft', 'rejected')) - before).toBe(5);
    // Not JSON, or not a notification: acknowledged, nothing woken.
    for (const payload of ['{{{', '{"value": 3}', '[]']) {
      const odd = await api.app.inject({
        method: 'POST',
        url: '/push/microsoft',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(odd.statusCode).toBe(202);
    }
    expect(await queuedJob(mailboxSyncJob, box.id)).toBeNull();
  });

  it('handles lifecycle events: reauthorize, recreate a removed subscription, resync after missed', async () => {
    const box = await outlookMailbox();
    const lifecycle = (c: { sub: string; state: string }, lifecycleEvent: string) => ({
      subscriptionId: c.sub,
      clientState: c.state,
      lifecycleEvent,
      subscriptionExpirationDateTime: new Date(Date.now() + HOUR).toISOString(),
    });

    await postGraph([lifecycle(box.inbox, 'reauthorizationRequired')]);
    const due = (await pushChannelsOf(orm.em.fork(), box.id)).find(
      (c) => c.resource === 'mail:inbox',
    );
    expect(due?.renewAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await queuedJob(mailboxPushJob, box.id)).not.toBeNull();
    expect(await queuedJob(mailboxSyncJob, box.id)).toBeNull();

    await postGraph([lifecycle(box.calendar, 'missed')]);
    expect(await queuedJob(calendarSyncJob, box.id)).not.toBeNull();
    expect(await queuedJob(mailboxSyncJob, box.id)).toBeNull();

    await postGraph([lifecycle(box.inbox, 'subscriptionRemoved')]);
    const left = (await pushChannelsOf(orm.em.fork(), box.id)).map((c) => c.resource);
    expect(left).toEqual(['calendar']);
    expect(await queuedJob(mailboxSyncJob, box.id)).not.toBeNull();
  });
});

describe('the push check', () => {
  it('queues the push job of mailboxes without a channel or with one due, and only those', async () => {
    const unwatched = await gmailMailbox(undefined, null);
    const due = await gmailMailbox(undefined, -60_000);
    const live = await gmailMailbox(undefined, HOUR);
    const gone = await gmailMailbox(undefined, null);
    await orm.em.fork().execute(`update mailbox set status = 'disconnected' where id = ?`, [gone]);

    const never = new AbortController().signal;
    const result = await checkPushJob.handle({} as never, {}, api.services.jobContext(), {
      progress: () => undefined,
      signal: never,
      stop: never,
    });
    expect(result.queued).toBeGreaterThanOrEqual(2);
    expect(await queuedJob(mailboxPushJob, unwatched)).not.toBeNull();
    expect(await queuedJob(mailboxPushJob, due)).not.toBeNull();
    expect(await queuedJob(mailboxPushJob, live)).toBeNull();
    expect(await queuedJob(mailboxPushJob, gone)).toBeNull();
  });
});
