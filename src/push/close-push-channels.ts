import type { EntityManager } from '@mikro-orm/postgresql';
import {
  deletePushChannelsOf,
  otherGmailWatchers,
  pushChannelsOf,
  refreshPushHealth,
} from '../db/repositories/push-channel.repository.ts';
import type { Logger } from '../logger.ts';
import type { MailWatch } from '../providers/mail-watch.ts';
import type { MailWatchFactory, ProviderMailbox } from '../providers/registry.ts';

/** Closes a mailbox's push channels before its token is deleted (disconnect); never throws. */
export type ClosePush = (mailbox: ProviderMailbox) => Promise<void>;

/** `ClosePush` over the process's provider factories. */
export function pushCloser(deps: {
  em: () => EntityManager;
  watches: () => MailWatchFactory;
  log: Logger;
}): ClosePush {
  return async (mailbox) => {
    let watch: MailWatch | null = null;
    try {
      watch = deps.watches()(mailbox);
    } catch (err) {
      // No credentials, or keys that cannot open them: the channels can only run out.
      deps.log.warn(
        { mailboxId: mailbox.id, err: (err as Error).message },
        'push channels not closed',
      );
    }
    await closePushChannels(deps.em(), watch, mailbox.id, deps.log);
  };
}

/**
 * Ends a mailbox's push channels at the provider (at disconnect, while its token still works) and
 * forgets them. Never throws: a provider that is down or refuses costs a warning, and the
 * channel then runs out on its own (a Graph subscription within days, a Gmail watch within
 * seven), its pushes ignored meanwhile because the mailbox no longer syncs. A Gmail watch is per
 * user and Cloud project, not per mailbox row: while another workspace's mailbox of the same
 * address still watches, `users.stop` would silence it too, so it is left alone.
 */
export async function closePushChannels(
  em: EntityManager,
  watch: MailWatch | null,
  mailboxId: string,
  log: Logger,
): Promise<void> {
  const channels = await pushChannelsOf(em, mailboxId);
  if (watch && channels.length > 0) {
    const shared =
      channels.some((c) => c.externalId === null) && (await otherGmailWatchers(em, mailboxId)) > 0;
    for (const channel of shared ? [] : channels) {
      try {
        await watch.close(channel);
      } catch (err) {
        log.warn(
          { mailboxId, resource: channel.resource, err: (err as Error).message },
          'could not close a push channel at the provider; it will expire on its own',
        );
      }
    }
  }
  await deletePushChannelsOf(em, mailboxId);
  await refreshPushHealth(em, mailboxId, 0);
}
