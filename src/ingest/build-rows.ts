import type { ClassifiedMessage } from '../crm/classify-message.ts';
import type { EmailRow, ParticipantRow } from '../db/repositories/email.repository.ts';
import { emailId, logicalKey, threadKey } from '../crm/ids.ts';
import type { IngestItem } from './ingest-types.ts';

/** Postgres text columns reject NUL; real-world mail contains it. */
const clean = (s: string): string => s.replaceAll('\u0000', '');

/** Pure mapping from a classified message to the rows the writer inserts. */
export function buildEmailRow(
  workspaceId: string,
  mailboxId: string,
  item: IngestItem,
  classified: ClassifiedMessage,
): EmailRow {
  const m = item.message;
  const own = `mbx:${mailboxId}:${item.providerMessageId}`;
  return {
    id: emailId(mailboxId, item.providerMessageId),
    workspace_id: workspaceId,
    mailbox_id: mailboxId,
    provider_message_id: item.providerMessageId,
    provider_thread_id: item.providerThreadId,
    internet_message_id: m.internetMessageId ? clean(m.internetMessageId) : null,
    in_reply_to: m.inReplyTo ? clean(m.inReplyTo) : null,
    references: m.references.map(clean),
    logical_key: clean(logicalKey(m.internetMessageId, mailboxId, item.providerMessageId)),
    thread_key: clean(threadKey(m.references, m.inReplyTo, m.internetMessageId, own)),
    direction: classified.direction,
    labels: item.labels,
    subject: clean(m.subject),
    snippet: clean(m.snippet),
    text_body: clean(m.textBody),
    text_body_truncated: m.textBodyTruncated,
    sent_at: m.sentAt,
    size_bytes: m.sizeBytes,
    attachments: m.attachments.map((a) => ({
      ...a,
      filename: a.filename ? clean(a.filename) : null,
      contentId: a.contentId ? clean(a.contentId) : null,
    })),
    automation: m.automation,
    crm_skip_reason: classified.crmSkipReason,
    ical_uid: m.invitation ? clean(m.invitation.uid) : null,
    ical_method: m.invitation?.method ?? null,
  };
}

export function buildParticipantRows(
  row: EmailRow,
  classified: ClassifiedMessage,
): ParticipantRow[] {
  return classified.participants.map((p) => ({
    email_id: row.id,
    workspace_id: row.workspace_id,
    role: p.role,
    address: p.address,
    display_name: clean(p.displayName),
    position: p.position,
    linkable: p.linkable,
    skip_reason: p.skipReason,
  }));
}
