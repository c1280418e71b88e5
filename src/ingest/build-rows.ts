import type { ClassifiedMessage } from '../crm/classify-message.ts';
import type { EmailRow, ParticipantRow } from '../db/repositories/email.repository.ts';
import { emailId, logicalKey, threadKey } from '../crm/ids.ts';
import { emailSearchText } from '../mail/search-text.ts';
import type { IngestItem } from './ingest-types.ts';

/**
 * Pure mapping from a classified message to the rows the writer inserts. The rows are made
 * storable (no NUL, no lone surrogate) in one place, by `planEmailBatch` (see mail/pg-text.ts).
 */
export function buildEmailRow(
  workspaceId: string,
  mailboxId: string,
  item: IngestItem,
  classified: ClassifiedMessage,
): EmailRow {
  const m = item.message;
  const own = `mbx:${mailboxId}:${item.providerMessageId}`;
  const search = emailSearchText(m.subject, classified.participants, m.textBody);
  return {
    id: emailId(mailboxId, item.providerMessageId),
    workspace_id: workspaceId,
    mailbox_id: mailboxId,
    provider_message_id: item.providerMessageId,
    provider_thread_id: item.providerThreadId,
    internet_message_id: m.internetMessageId ? m.internetMessageId : null,
    in_reply_to: m.inReplyTo ? m.inReplyTo : null,
    references: m.references,
    logical_key: logicalKey(m.internetMessageId, mailboxId, item.providerMessageId),
    thread_key: threadKey(m.references, m.inReplyTo, m.internetMessageId, own),
    direction: classified.direction,
    labels: item.labels,
    subject: m.subject,
    snippet: m.snippet,
    text_body: m.textBody,
    text_body_truncated: m.textBodyTruncated,
    html_body: m.htmlBody,
    html_body_truncated: m.htmlBodyTruncated,
    sent_at: m.sentAt,
    size_bytes: m.sizeBytes,
    attachments: m.attachments.map((a) => ({
      ...a,
      filename: a.filename ? a.filename : null,
      contentId: a.contentId ? a.contentId : null,
    })),
    automation: m.automation,
    crm_skip_reason: classified.crmSkipReason,
    bounce: m.bounce,
    ical_uid: m.invitation ? m.invitation.uid : null,
    ical_method: m.invitation?.method ?? null,
    search_subject: search.subject,
    search_people: search.people,
    search_body: search.body,
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
    display_name: p.displayName,
    position: p.position,
    linkable: p.linkable,
    skip_reason: p.skipReason,
  }));
}
