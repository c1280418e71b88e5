import {
  forgetGraphChannel,
  graphChannels,
  markChannelDue,
  touchGraphChannels,
  type StoredPushChannel,
} from '../db/repositories/push-channel.repository.ts';
import type { Db } from '../db/sql.ts';
import { syncWokenBy } from '../providers/mail-watch.ts';
import {
  parseGraphNotifications,
  type GraphNotification,
} from '../providers/microsoft/mail/graph-notifications.ts';
import { clientStateMatches } from './client-state.ts';
import type { PushOutcome, PushWaker } from './push-waker.ts';

export type NotificationCounts = Record<PushOutcome, number>;

/**
 * A Graph notification POST (provider-apis.md §D.6), change and lifecycle items alike. An item is
 * believed only when its subscription is one of ours, of a mailbox that can sync, and its
 * `clientState` matches that subscription's (constant-time digest comparison); the others are
 * counted as rejected and do nothing. Believed items:
 * - a change wakes the sync of what the subscription watches (mail or calendar), once per POST;
 * - `reauthorizationRequired` makes the channel due and queues the mailbox's push job (a PATCH
 *   renews and reauthorizes);
 * - `subscriptionRemoved` forgets the channel, queues the push job (it opens a new one) and wakes
 *   the sync, since changes may have gone unnotified;
 * - `missed` wakes the sync: delta catches up whatever the lost notifications were about.
 */
export async function receiveGraphNotifications(
  db: Db,
  waker: PushWaker,
  body: unknown,
): Promise<NotificationCounts> {
  const counts: NotificationCounts = { woken: 0, ignored: 0, rejected: 0 };
  const items = parseGraphNotifications(body);
  const channels = new Map(
    (await graphChannels(db, [...new Set(items.map((i) => i.subscriptionId))])).map((c) => [
      c.externalId,
      c,
    ]),
  );
  const wakes = new Map<string, { mailboxId: string; sync: 'mail' | 'calendar' }>();
  const wake = (channel: StoredPushChannel) => {
    const sync = syncWokenBy(channel.resource);
    wakes.set(`${channel.mailboxId}:${sync}`, { mailboxId: channel.mailboxId, sync });
  };
  const trusted: string[] = [];
  for (const item of items) {
    const channel = channels.get(item.subscriptionId);
    if (!channel || !clientStateMatches(item.clientState, channel.clientStateHash)) {
      counts.rejected += 1;
      continue;
    }
    trusted.push(item.subscriptionId);
    counts.woken += 1;
    await applyLifecycle(db, waker, item, channel);
    if (item.lifecycleEvent !== 'reauthorizationRequired') {
      wake(channel);
    }
  }
  await touchGraphChannels(db, trusted);
  await Promise.all([...wakes.values()].map((w) => waker.wake(w.mailboxId, w.sync)));
  return counts;
}

async function applyLifecycle(
  db: Db,
  waker: PushWaker,
  item: GraphNotification,
  channel: StoredPushChannel,
): Promise<void> {
  switch (item.lifecycleEvent) {
    case 'reauthorizationRequired':
      await markChannelDue(db, item.subscriptionId);
      await waker.keepChannels(channel.mailboxId);
      return;
    case 'subscriptionRemoved':
      await forgetGraphChannel(db, item.subscriptionId);
      await waker.keepChannels(channel.mailboxId);
      return;
    case 'missed':
    case null:
      return;
  }
}
