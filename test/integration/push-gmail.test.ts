import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { pushChannelsOf } from '../../src/db/repositories/push-channel.repository.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import {
  connectGmailMailbox,
  startGmailHarness,
  type GmailHarness,
} from '../helpers/gmail-harness.ts';
import { storedEmails } from '../helpers/kill-worker-process.ts';
import { newMail, startPushHarness, type PushHarness } from '../helpers/push-harness.ts';
import { createWorkspace, openTestOrm } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Issue 15, Gmail push end to end: the emulator's `users.watch` publishes to an emulated Pub/Sub
 * push subscription with OIDC tokens, Mailroom's API verifies them against the emulator's
 * certificates and wakes the sync, and a worker stores the mail. Polling is set to an hour, so
 * only a push can bring a new message in.
 */
const TOPIC = 'projects/mailroom-test/topics/gmail';
const AUDIENCE = 'https://mailroom.test/push/google';
const SERVICE_ACCOUNT = 'gmail-push@mailroom-test.iam.gserviceaccount.com';

let orm: Orm;
let gmail: GmailHarness;
let push: PushHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  gmail = await startGmailHarness({ pushBackoffMs: [100, 200, 400] });
  push = await startPushHarness(orm, gmail.env, {
    GOOGLE_PUBSUB_TOPIC: TOPIC,
    GOOGLE_PUBSUB_AUDIENCE: AUDIENCE,
    GOOGLE_PUBSUB_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
    MAILROOM_CALENDAR_SYNC: 'off',
  });
  const sub = gmail.emulator.pubsub.subscribe({
    topic: TOPIC,
    pushEndpoint: `${push.apiUrl}/push/google`,
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
  });
  expect('refused' in sub).toBe(false);
});

afterAll(async () => {
  await push.close();
  await gmail.close();
  await orm.close(true);
});

const mail = (subject: string) => newMail(subject, 'rep@northwind.com');

/** A connected mailbox with its first sync done and its watch open. */
async function watchedMailbox(messages: number): Promise<{ id: string; email: string }> {
  const email = `rep-${randomUUID().slice(0, 8)}@northwind.com`;
  const id = await connectGmailMailbox(orm, gmail, await createWorkspace(orm), email);
  for (let i = 0; i < messages; i++) {
    gmail.emulator.store.addMessage(email, mail(`before ${String(i)}`));
  }
  await push.connected(id);
  await waitFor(
    async () => (await pushChannelsOf(orm.em.fork(), id)).length === 1,
    'the Gmail watch to be stored',
  );
  await waitFor(
    async () => (await mailboxStatus(orm.em.fork(), id)).lastSyncedAt !== null,
    'the first sync',
  );
  expect(await storedEmails(orm, id)).toBe(messages);
  // The watch published one notification when it opened, and Gmail drops any other within a
  // second of it (the emulator too): a test's first change must come after that second.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  return { id, email };
}

it('opens a watch on connect, and a new message arrives by push with polling at an hour', async () => {
  const { id, email } = await watchedMailbox(3);
  const watch = gmail.emulator.watches.of(email);
  expect(watch?.topicName).toBe(TOPIC);
  const [channel] = await pushChannelsOf(orm.em.fork(), id);
  expect(channel?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
  const delivered = gmail.emulator.stats.push.delivered;

  gmail.emulator.store.addMessage(email, mail('pushed'));
  await waitFor(async () => (await storedEmails(orm, id)) === 4, 'the pushed message to be stored');
  expect(gmail.emulator.stats.push.delivered).toBeGreaterThan(delivered);
});

it('a push that arrives while the sync runs wakes one more sync after it', async () => {
  const { id, email } = await watchedMailbox(0);
  // Every fetch of the next sync takes 3 s (8 in flight): it runs for about 9 s, so the message
  // added a second after it started arrives while it runs, whatever the machine's load.
  gmail.emulator.faults.add({
    path: '^/gmail/v1/users/[^/]+/messages/[^/]+$',
    method: 'GET',
    delayMs: 3_000,
    count: 20,
  });
  for (let i = 0; i < 20; i++) {
    gmail.emulator.store.addMessage(email, mail(`burst ${String(i)}`));
  }
  const syncing = async () =>
    (await push.queue.getJobs(['active'])).some(
      (j) => j.name === 'mailbox-sync' && (j.data as { mailboxId: string }).mailboxId === id,
    );
  await waitFor(syncing, 'the woken sync to be under way');
  // Past Gmail's one push per second per user, so this one is not dropped.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect(await syncing()).toBe(true);
  gmail.emulator.store.addMessage(email, mail('during the sync'));
  await waitFor(
    async () => (await storedEmails(orm, id)) === 21,
    'every message, the last included',
  );
});

it('refuses pushes without a valid OIDC token and wakes nothing', async () => {
  const { email } = await watchedMailbox(0);
  const body = JSON.stringify({
    message: {
      data: Buffer.from(JSON.stringify({ emailAddress: email, historyId: '1' })).toString('base64'),
    },
  });
  const token = async (spec: Record<string, unknown>) =>
    (
      (await (
        await fetch(`${gmail.url}/__control/pubsub/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(spec),
        })
      ).json()) as { token: string }
    ).token;
  const post = (authorization?: string) =>
    fetch(`${push.apiUrl}/push/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    });
  expect((await post()).status).toBe(401);
  expect((await post('Bearer not-a-jwt')).status).toBe(401);
  expect(
    (
      await post(
        `Bearer ${await token({ audience: 'https://elsewhere.example', email: SERVICE_ACCOUNT })}`,
      )
    ).status,
  ).toBe(401);
  expect(
    (
      await post(
        `Bearer ${await token({ audience: AUDIENCE, email: SERVICE_ACCOUNT, expired: true })}`,
      )
    ).status,
  ).toBe(401);
  expect(
    (
      await post(
        `Bearer ${await token({ audience: AUDIENCE, email: SERVICE_ACCOUNT, foreign: true })}`,
      )
    ).status,
  ).toBe(401);
  expect(
    (
      await post(
        `Bearer ${await token({ audience: AUDIENCE, email: 'someone@else.iam.gserviceaccount.com' })}`,
      )
    ).status,
  ).toBe(401);
  expect(
    (await post(`Bearer ${await token({ audience: AUDIENCE, email: SERVICE_ACCOUNT })}`)).status,
  ).toBe(204);
});

it('stops the watch at disconnect', async () => {
  const { id, email } = await watchedMailbox(0);
  expect(gmail.emulator.watches.of(email)).not.toBeNull();
  await push.disconnect(id);
  expect(gmail.emulator.watches.of(email)).toBeNull();
  expect(await pushChannelsOf(orm.em.fork(), id)).toEqual([]);
});
