import { z } from 'zod';
import { queryRow, type Db } from '../sql.ts';

/**
 * The stored message a reply answers, as the sending mailbox knows it: its Message-ID and
 * References (for the reply's threading headers) and, when the sending mailbox has its own copy,
 * that copy's provider ids (Gmail's threadId, the Graph message to `createReply` from). The
 * replied-to email may be another mailbox's copy of the same message; the sending mailbox's copy
 * is found by Message-ID.
 */
export interface ReplyTarget {
  internetMessageId: string | null;
  references: string[];
  /** The sending mailbox's own copy, or null when it has none. */
  own: { providerMessageId: string; providerThreadId: string | null } | null;
}

const row = z.object({
  internet_message_id: z.string().nullable(),
  references: z.array(z.string()),
  own_provider_message_id: z.string().nullable(),
  own_provider_thread_id: z.string().nullable(),
});

export async function findReplyTarget(
  db: Db,
  workspaceId: string,
  emailId: string,
  sendingMailboxId: string,
): Promise<ReplyTarget | null> {
  const r = await queryRow(
    db,
    row,
    `select e.internet_message_id, e."references",
            own.provider_message_id as own_provider_message_id,
            own.provider_thread_id as own_provider_thread_id
       from email e
       left join lateral (
         select o.provider_message_id, o.provider_thread_id from email o
          where o.mailbox_id = ? and o.deleted = false
            and (o.id = e.id or (e.internet_message_id is not null
                 and o.workspace_id = e.workspace_id
                 and o.internet_message_id = e.internet_message_id))
            and o.provider_message_id not like 'pending:%'
          order by (o.id = e.id) desc limit 1) own on true
      where e.workspace_id = ? and e.id = ?`,
    [sendingMailboxId, workspaceId, emailId],
  );
  if (!r) {
    return null;
  }
  return {
    internetMessageId: r.internet_message_id,
    references: r.references,
    own: r.own_provider_message_id
      ? {
          providerMessageId: r.own_provider_message_id,
          providerThreadId: r.own_provider_thread_id,
        }
      : null,
  };
}
