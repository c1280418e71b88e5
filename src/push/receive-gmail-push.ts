import { takeGmailPush } from '../db/repositories/push-channel.repository.ts';
import type { Db } from '../db/sql.ts';
import { parseGmailPush } from '../providers/google/pubsub/pubsub-envelope.ts';
import { syncWokenBy } from '../providers/mail-watch.ts';
import type { PushOutcome, PushWaker } from './push-waker.ts';

/**
 * A Gmail push (its OIDC token already checked by the route): wakes the mail sync of every
 * watched mailbox of that address. The history id is not compared with the mailbox's cursor:
 * the sync reads history from its own checkpoint, and a push about history already read costs
 * one `history.list` that finds nothing. A malformed body or an address no mailbox watches wakes
 * nothing.
 */
export async function receiveGmailPush(
  db: Db,
  waker: PushWaker,
  body: unknown,
): Promise<PushOutcome> {
  const push = parseGmailPush(body);
  if (!push) {
    return 'ignored';
  }
  const targets = await takeGmailPush(db, push.emailAddress);
  if (targets.length === 0) {
    return 'ignored';
  }
  await Promise.all(targets.map((t) => waker.wake(t.mailboxId, syncWokenBy(t.resource))));
  return 'woken';
}
