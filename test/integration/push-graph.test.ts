import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import {
  pushChannelsOf,
  type StoredPushChannel,
} from '../../src/db/repositories/push-channel.repository.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import {
  connectOutlookMailbox,
  startGraphHarness,
  type GraphHarness,
} from '../helpers/graph-harness.ts';
import { storedEmails } from '../helpers/kill-worker-process.ts';
import { newMail, startPushHarness, type PushHarness } from '../helpers/push-harness.ts';
import { createWorkspace, openTestOrm } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Issue 15, Graph change notifications end to end: subscriptions for Inbox, Sent Items and the
 * calendar made through the emulator's validation handshake against Mailroom's listening API,
 * notifications that wake the sync (polling at an hour), lifecycle events, deletion at disconnect.
 */
let orm: Orm;
let graph: GraphHarness;
let push: PushHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  graph = await startGraphHarness({
    allowHttpNotifications: true,
    notificationBackoffMs: [100, 200],
  });
  push = await startPushHarness(orm, graph.env);
});

afterAll(async () => {
  await push.close();
  await graph.close();
  await orm.close(true);
});

const mail = (subject: string) => newMail(subject, 'rep@contoso.com');

const channels = (id: string) => pushChannelsOf(orm.em.fork(), id);
/** What the fleet scheduler reads: push-healthy until the earliest subscription expires. */
const pushHealthyUntil = async (id: string): Promise<Date | null> => {
  const rows = await orm.em
    .fork()
    .execute<{ until: Date | null }[]>(
      'select push_healthy_until as until from mailbox where id = ?',
      [id],
    );
  return rows[0]?.until ? new Date(rows[0].until) : null;
};
const byResource = async (id: string, resource: string): Promise<StoredPushChannel> => {
  const found = (await channels(id)).find((c) => c.resource === resource);
  if (!found) {
    throw new Error(`no ${resource} channel`);
  }
  return found;
};

/** A connected Outlook mailbox with its first sync done and its three subscriptions open. */
async function subscribedMailbox(): Promise<{ id: string; email: string }> {
  const email = `rep-${randomUUID().slice(0, 8)}@contoso.com`;
  const id = await connectOutlookMailbox(orm, graph, await createWorkspace(orm), email);
  await graph.emulator.addMime(email, 'inbox', mail('before'));
  await push.connected(id);
  await waitFor(async () => (await channels(id)).length === 3, 'three subscriptions stored');
  await waitFor(
    async () => (await mailboxStatus(orm.em.fork(), id)).lastSyncedAt !== null,
    'the first sync',
  );
  expect(await storedEmails(orm, id)).toBe(1);
  return { id, email };
}

it('subscribes to Inbox, Sent Items and the calendar, and a new message arrives by notification', async () => {
  const { id, email } = await subscribedMailbox();
  const stored = await channels(id);
  expect(stored.map((c) => c.resource)).toEqual(['calendar', 'mail:inbox', 'mail:sentitems']);
  const live = graph.emulator.subscriptions.of(email);
  expect(live.map((s) => s.id).sort()).toEqual(stored.map((c) => c.externalId).sort());
  expect(graph.emulator.stats.notifications.validations).toBeGreaterThanOrEqual(3);
  const earliest = Math.min(...stored.map((c) => c.expiresAt.getTime()));
  expect((await pushHealthyUntil(id))?.getTime()).toBe(earliest);

  await graph.emulator.addMime(email, 'inbox', mail('notified'));
  await waitFor(
    async () => (await storedEmails(orm, id)) === 2,
    'the notified message to be stored',
  );
  await graph.emulator.addMime(email, 'sentitems', mail('sent from Outlook'));
  await waitFor(async () => (await storedEmails(orm, id)) === 3, 'the sent message to be stored');
});

it('answers lifecycle events: a removed subscription is recreated, reauthorization renews', async () => {
  const { id, email } = await subscribedMailbox();
  const lifecycle = async (subscriptionId: string, event: string) => {
    const res = await fetch(
      `${graph.emulator.baseUrl()}/__control/subscriptions/${subscriptionId}/lifecycle`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event }),
      },
    );
    expect(res.status).toBeLessThan(300);
  };

  const inbox = await byResource(id, 'mail:inbox');
  await lifecycle(inbox.externalId ?? '', 'subscriptionRemoved');
  await waitFor(async () => {
    const now = await byResource(id, 'mail:inbox').catch(() => null);
    return now !== null && now.externalId !== inbox.externalId;
  }, 'a new Inbox subscription');
  const renewedInbox = await byResource(id, 'mail:inbox');
  expect(graph.emulator.subscriptions.of(email).map((s) => s.id)).toContain(
    renewedInbox.externalId,
  );
  // The new subscription notifies like the first.
  await graph.emulator.addMime(email, 'inbox', mail('after the recreate'));
  await waitFor(async () => (await storedEmails(orm, id)) === 2, 'the message after the recreate');

  const calendar = await byResource(id, 'calendar');
  await lifecycle(calendar.externalId ?? '', 'reauthorizationRequired');
  await waitFor(
    async () => (await byResource(id, 'calendar')).expiresAt > calendar.expiresAt,
    'the calendar subscription to be renewed',
  );
  const sub = graph.emulator.subscriptions.get(calendar.externalId ?? '');
  expect(sub?.paused).toBe(false);
});

it('ignores a notification with a forged clientState', async () => {
  const { id } = await subscribedMailbox();
  const inbox = await byResource(id, 'mail:inbox');
  const res = await fetch(`${push.apiUrl}/push/microsoft`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      value: [{ subscriptionId: inbox.externalId, clientState: 'guessed', changeType: 'created' }],
    }),
  });
  expect(res.status).toBe(202);
  const queued = await push.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
  expect(queued.filter((j) => (j.data as { mailboxId?: string }).mailboxId === id)).toEqual([]);
});

it('deletes its subscriptions at disconnect', async () => {
  const { id, email } = await subscribedMailbox();
  expect(graph.emulator.subscriptions.of(email)).toHaveLength(3);
  await push.disconnect(id);
  expect(graph.emulator.subscriptions.of(email)).toEqual([]);
  expect(await channels(id)).toEqual([]);
  expect(await pushHealthyUntil(id)).toBeNull();
});
