import type { EntityManager } from '@mikro-orm/postgresql';
import { classifyMessage } from '../crm/classify-message.ts';
import { emailId, threadKey } from '../crm/ids.ts';
import { insertTrackingTokens } from '../db/repositories/tracking.repository.ts';
import type { IngestTarget } from '../ingest/load-ingest-target.ts';
import { writeBatch } from '../ingest/write-batch.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import type { SentMessage } from '../providers/mail-sender.ts';
import type { StoredOutgoing } from './build-outgoing.ts';

/**
 * Stores a sent message at once, through the same path the sync writes with, so the copy the
 * next sync fetches is the same email row (same mailbox and provider id: its insert is skipped)
 * and the message gets one `EMAIL_SENT` per recipient, whoever stores it first.
 *
 * The stored Message-ID is the one the provider reported (Gmail writes its own). When the
 * provider's copy is not visible yet (Graph, rarely), the row gets a provisional provider id
 * `pending:<send id>` that the sync replaces when it meets the copy (email.repository.ts).
 */
export const PENDING_PREFIX = 'pending:';

export interface StoredSentCopy {
  emailId: string;
  threadKey: string;
}

export async function storeSentCopy(
  em: EntityManager,
  pool: ParsePool,
  target: IngestTarget,
  outgoing: StoredOutgoing,
  sent: SentMessage,
): Promise<StoredSentCopy> {
  const parsed = await pool.parse(Buffer.from(outgoing.raw, 'base64'));
  if (!parsed.ok) {
    // Mailroom built this message itself: failing to read it back is a bug, not bad input.
    throw new Error(`the sent message cannot be parsed back: ${parsed.reason}`);
  }
  const message = { ...parsed.message, internetMessageId: sent.internetMessageId };
  const providerMessageId = sent.providerMessageId ?? `${PENDING_PREFIX}${outgoing.sendId}`;
  const written = await writeBatch(em, target, [
    {
      item: {
        providerMessageId,
        providerThreadId: sent.providerThreadId,
        labels: ['SENT'],
        message,
      },
      classified: classifyMessage(message, target.context, true),
    },
  ]);
  const refused = written.rejected.get(providerMessageId);
  if (refused !== undefined) {
    throw new Error(`the sent message could not be stored: ${refused}`);
  }
  const id = emailId(target.mailboxId, providerMessageId);
  await insertTrackingTokens(em, target.workspaceId, id, outgoing.tokens);
  return {
    emailId: id,
    threadKey: threadKey(
      message.references,
      message.inReplyTo,
      message.internetMessageId,
      `mbx:${target.mailboxId}:${providerMessageId}`,
    ),
  };
}
