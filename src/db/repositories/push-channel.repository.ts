import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/**
 * A mailbox's push channels (migration 20261202150000): its Gmail watch or Graph subscriptions.
 * Mailboxes that can sync are the ones push is kept up for, as for polling.
 */
const SYNCABLE = `('active', 'syncing', 'error')`;

export interface StoredPushChannel {
  mailboxId: string;
  resource: string;
  externalId: string | null;
  /** SHA-256 of the channel's clientState (Graph); null where pushes are trusted otherwise. */
  clientStateHash: Buffer | null;
  expiresAt: Date;
  renewAt: Date;
}

const channelRow = z.object({
  mailbox_id: z.string(),
  resource: z.string(),
  external_id: z.string().nullable(),
  client_state_hash: z.instanceof(Buffer).nullable(),
  expires_at: z.coerce.date(),
  renew_at: z.coerce.date(),
});

const toChannel = (r: z.infer<typeof channelRow>): StoredPushChannel => ({
  mailboxId: r.mailbox_id,
  resource: r.resource,
  externalId: r.external_id,
  clientStateHash: r.client_state_hash,
  expiresAt: r.expires_at,
  renewAt: r.renew_at,
});

const COLUMNS = `mailbox_id, resource, external_id, client_state_hash, expires_at, renew_at`;

export async function pushChannelsOf(db: Db, mailboxId: string): Promise<StoredPushChannel[]> {
  const rows = await queryRows(
    db,
    channelRow,
    `select ${COLUMNS} from mailbox_push_channel where mailbox_id = ? order by resource`,
    [mailboxId],
  );
  return rows.map(toChannel);
}

/** Stores a channel just opened or renewed (one row per mailbox and resource). */
export async function savePushChannel(db: Db, channel: StoredPushChannel): Promise<void> {
  await run(
    db,
    `insert into mailbox_push_channel (${COLUMNS})
     values (?, ?, ?, ?, ?, ?)
     on conflict (mailbox_id, resource) do update
       set external_id = excluded.external_id, client_state_hash = excluded.client_state_hash,
           expires_at = excluded.expires_at, renew_at = excluded.renew_at, updated_at = now()`,
    [
      channel.mailboxId,
      channel.resource,
      channel.externalId,
      channel.clientStateHash,
      channel.expiresAt,
      channel.renewAt,
    ],
  );
}

export async function deletePushChannel(
  db: Db,
  mailboxId: string,
  resource: string,
): Promise<void> {
  await run(db, `delete from mailbox_push_channel where mailbox_id = ? and resource = ?`, [
    mailboxId,
    resource,
  ]);
}

/**
 * Mailboxes of `provider` that can sync and lack one of their `required` channels, or have one
 * due for renewal: the push check queues a `mailbox-push` job for each. Those without any channel
 * come first, the newest of them first (a mailbox that cannot open one, its Graph validation
 * failing, does not hold back one just connected), then the most overdue renewals.
 */
export async function mailboxesNeedingPush(
  db: Db,
  provider: 'google' | 'microsoft',
  required: number,
  limit: number,
): Promise<string[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    `select m.id from mailbox m
       left join mailbox_push_channel c on c.mailbox_id = m.id
      where m.provider = ? and m.status in ${SYNCABLE}
      group by m.id
     having count(c.resource) < ? or coalesce(min(c.renew_at) <= now(), false)
      order by min(c.renew_at) nulls first, m.created_at desc
      limit ?`,
    [provider, required, limit],
  );
  return rows.map((r) => r.id);
}

export interface PushTarget {
  mailboxId: string;
  resource: string;
}

/**
 * The watched Gmail mailboxes of `email` (one per workspace that connected it), marked as just
 * pushed. Only mailboxes that can sync and hold a watch count: anything else is a bogus push.
 */
export async function takeGmailPush(db: Db, email: string): Promise<PushTarget[]> {
  const rows = await queryRows(
    db,
    z.object({ mailbox_id: z.string(), resource: z.string() }),
    `update mailbox_push_channel c set last_push_at = now()
       from mailbox m
      where m.id = c.mailbox_id and m.provider = 'google' and m.email = ?
        and m.status in ${SYNCABLE}
      returning c.mailbox_id, c.resource`,
    [email.toLowerCase()],
  );
  return rows.map((r) => ({ mailboxId: r.mailbox_id, resource: r.resource }));
}

/** The channels of these Graph subscription ids whose mailbox can sync (unknown ids are left out). */
export async function graphChannels(
  db: Db,
  subscriptionIds: readonly string[],
): Promise<StoredPushChannel[]> {
  if (subscriptionIds.length === 0) {
    return [];
  }
  const rows = await queryRows(
    db,
    channelRow,
    `select ${COLUMNS.split(', ')
      .map((c) => `c.${c}`)
      .join(', ')}
       from mailbox_push_channel c join mailbox m on m.id = c.mailbox_id
      where c.external_id in (select jsonb_array_elements_text(?::jsonb)) and m.provider = 'microsoft' and m.status in ${SYNCABLE}`,
    [jsonb(subscriptionIds)],
  );
  return rows.map(toChannel);
}

/** Records that pushes for these subscriptions arrived (and were trusted). */
export async function touchGraphChannels(
  db: Db,
  subscriptionIds: readonly string[],
): Promise<void> {
  if (subscriptionIds.length > 0) {
    await run(
      db,
      `update mailbox_push_channel set last_push_at = now() where external_id in (select jsonb_array_elements_text(?::jsonb))`,
      [jsonb(subscriptionIds)],
    );
  }
}

/** `reauthorizationRequired`: renew the channel at the next push check, or at once when queued. */
export async function markChannelDue(db: Db, subscriptionId: string): Promise<void> {
  await run(db, `update mailbox_push_channel set renew_at = now() where external_id = ?`, [
    subscriptionId,
  ]);
}

/**
 * `subscriptionRemoved`: Graph ended it; the next push job opens a new one. Until then the
 * mailbox is not push-healthy (the fleet scheduler polls it at the normal interval).
 */
export async function forgetGraphChannel(db: Db, subscriptionId: string): Promise<void> {
  await run(
    db,
    `with gone as (delete from mailbox_push_channel where external_id = ? returning mailbox_id)
     update mailbox set push_healthy_until = null where id in (select mailbox_id from gone)`,
    [subscriptionId],
  );
}

/**
 * Writes `mailbox.push_healthy_until` from the mailbox's channels: the earliest expiry when all
 * `required` channels are open, else null. The fleet scheduler polls a push-healthy mailbox at the
 * long interval (MAILROOM_PUSH_POLL_INTERVAL_SECONDS), any other at the normal one.
 */
export async function refreshPushHealth(
  db: Db,
  mailboxId: string,
  required: number,
): Promise<void> {
  await run(
    db,
    `update mailbox m set push_healthy_until = (
       select case when count(*) >= ? and ? > 0 then min(c.expires_at) end
         from mailbox_push_channel c where c.mailbox_id = m.id)
      where m.id = ?`,
    [required, required, mailboxId],
  );
}

/** Every channel of a mailbox is gone (closed at disconnect). */
export async function deletePushChannelsOf(em: EntityManager, mailboxId: string): Promise<void> {
  await run(em, `delete from mailbox_push_channel where mailbox_id = ?`, [mailboxId]);
}

/** Other mailboxes (other workspaces) still watching this Gmail address through the same project. */
export async function otherGmailWatchers(db: Db, mailboxId: string): Promise<number> {
  const rows = await queryRows(
    db,
    z.object({ n: z.coerce.number() }),
    `select count(*) as n from mailbox_push_channel c
       join mailbox m on m.id = c.mailbox_id
       join mailbox self on self.id = ? and self.provider = 'google'
      where m.email = self.email and m.provider = 'google' and m.id <> self.id`,
    [mailboxId],
  );
  return rows[0]?.n ?? 0;
}
