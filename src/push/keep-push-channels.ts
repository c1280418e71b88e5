import type { EntityManager } from '@mikro-orm/postgresql';
import {
  deletePushChannel,
  pushChannelsOf,
  refreshPushHealth,
  savePushChannel,
  type StoredPushChannel,
} from '../db/repositories/push-channel.repository.ts';
import type { MailWatch } from '../providers/mail-watch.ts';
import { ProviderError } from '../providers/provider-error.ts';
import { hashClientState, newClientState } from './client-state.ts';

export interface PushChannelSummary {
  opened: string[];
  renewed: string[];
  closed: string[];
}

/**
 * Brings a mailbox's push channels to what its provider needs: opens the missing ones, renews
 * those due (one gone at the provider is opened anew), closes those no longer needed (a folder
 * dropped from MAILROOM_OUTLOOK_FOLDERS). Each channel is stored as soon as it is open, so a job
 * that fails half-way keeps what it did and the next run does the rest; a renewal keeps the
 * channel's clientState (Graph keeps it too), an opening makes a new one.
 */
export async function keepPushChannels(
  em: EntityManager,
  watch: MailWatch,
  mailboxId: string,
): Promise<PushChannelSummary> {
  const summary: PushChannelSummary = { opened: [], renewed: [], closed: [] };
  const stored = new Map((await pushChannelsOf(em, mailboxId)).map((c) => [c.resource, c]));
  for (const resource of watch.resources) {
    const channel = stored.get(resource);
    stored.delete(resource);
    if (channel && channel.renewAt > new Date()) {
      continue;
    }
    if (channel && (await renewed(em, watch, channel))) {
      summary.renewed.push(resource);
      continue;
    }
    const clientState = newClientState();
    const opened = await watch.open(resource, clientState);
    await savePushChannel(em, {
      mailboxId,
      ...opened,
      clientStateHash: opened.externalId ? hashClientState(clientState) : null,
      renewAt: watch.renewAt(opened.expiresAt, new Date()),
    });
    summary.opened.push(resource);
  }
  for (const leftover of stored.values()) {
    await watch.close(leftover);
    await deletePushChannel(em, mailboxId, leftover.resource);
    summary.closed.push(leftover.resource);
  }
  await refreshPushHealth(em, mailboxId, watch.resources.length);
  return summary;
}

/** False when the channel is gone at the provider (expired, removed): it must be opened again. */
async function renewed(
  em: EntityManager,
  watch: MailWatch,
  channel: StoredPushChannel,
): Promise<boolean> {
  try {
    const expiresAt = await watch.renew(channel);
    await savePushChannel(em, {
      ...channel,
      expiresAt,
      renewAt: watch.renewAt(expiresAt, new Date()),
    });
    return true;
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'NOT_FOUND') {
      return false;
    }
    throw err;
  }
}
