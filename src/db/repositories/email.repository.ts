import { z } from 'zod';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/** Emails and their participants as mail ingest stores them: one row each, column names as stored. */
export interface EmailRow {
  id: string;
  workspace_id: string;
  mailbox_id: string;
  provider_message_id: string;
  provider_thread_id: string | null;
  internet_message_id: string | null;
  in_reply_to: string | null;
  references: string[];
  logical_key: string;
  thread_key: string;
  direction: string;
  labels: string[];
  subject: string;
  snippet: string;
  text_body: string;
  text_body_truncated: boolean;
  html_body: string;
  html_body_truncated: boolean;
  sent_at: string | null;
  size_bytes: number;
  attachments: unknown;
  automation: unknown;
  crm_skip_reason: string | null;
  /** The message's delivery report (mail/bounce), or null. */
  bounce: unknown;
  ical_uid: string | null;
  ical_method: string | null;
  /**
   * Not columns: the three weighted parts of the `search` tsvector, normalised
   * (mail/search-text.ts); the insert builds the tsvector from them.
   */
  search_subject: string;
  search_people: string;
  search_body: string;
}

export interface ParticipantRow {
  email_id: string;
  workspace_id: string;
  role: string;
  address: string;
  display_name: string;
  position: number;
  linkable: boolean;
  skip_reason: string | null;
}

const InsertedRow = z.object({ id: z.string() });

/**
 * Inserts emails (ON CONFLICT on mailbox + provider id, so a message stored before is skipped)
 * and returns the ids of those stored now.
 */
export async function insertEmails(tx: Db, rows: readonly EmailRow[]): Promise<Set<string>> {
  if (rows.length === 0) {
    return new Set();
  }
  const inserted = await queryRows(
    tx,
    InsertedRow,
    `insert into email (id, workspace_id, mailbox_id, provider_message_id, provider_thread_id,
       internet_message_id, in_reply_to, "references", logical_key, thread_key, direction, labels,
       subject, snippet, text_body, text_body_truncated, html_body, html_body_truncated, sent_at,
       size_bytes, attachments, automation, crm_skip_reason, bounce, ical_uid, ical_method, search)
     select r.id, r.workspace_id, r.mailbox_id, r.provider_message_id, r.provider_thread_id,
       r.internet_message_id, r.in_reply_to, r."references", r.logical_key, r.thread_key,
       r.direction, r.labels, r.subject, r.snippet, r.text_body, r.text_body_truncated,
       r.html_body, r.html_body_truncated, r.sent_at, r.size_bytes, r.attachments, r.automation,
       r.crm_skip_reason, r.bounce, r.ical_uid, r.ical_method,
       setweight(to_tsvector('simple', r.search_subject), 'A') ||
         setweight(to_tsvector('simple', r.search_people), 'B') ||
         setweight(to_tsvector('simple', r.search_body), 'C')
     from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, mailbox_id uuid,
       provider_message_id text, provider_thread_id text, internet_message_id text,
       in_reply_to text, "references" text[], logical_key text, thread_key text, direction text,
       labels text[], subject text, snippet text, text_body text, text_body_truncated boolean,
       html_body text, html_body_truncated boolean, sent_at timestamptz, size_bytes integer,
       attachments jsonb, automation jsonb, crm_skip_reason text, bounce jsonb, ical_uid text,
       ical_method text, search_subject text, search_people text, search_body text)
     on conflict (mailbox_id, provider_message_id) do nothing
     returning id`,
    [jsonb(rows)],
  );
  return new Set(inserted.map((r) => r.id));
}

/**
 * Gives a message stored at send time under a provisional provider id (`pending:…`, when the
 * provider's copy was not visible yet: sending/store-sent-copy.ts) the id of the copy the sync now
 * met, matched by mailbox and Message-ID, so that copy's insert finds it instead of adding a twin.
 */
export async function adoptPendingCopies(
  tx: Db,
  workspaceId: string,
  rows: readonly EmailRow[],
): Promise<void> {
  const outbound = rows.filter(
    (r) =>
      r.direction === 'outbound' &&
      r.internet_message_id &&
      !r.provider_message_id.startsWith('pending:'),
  );
  if (outbound.length === 0) {
    return;
  }
  await run(
    tx,
    `update email e
        set provider_message_id = r.provider_message_id,
            provider_thread_id = coalesce(r.provider_thread_id, e.provider_thread_id),
            updated_at = now()
       from jsonb_to_recordset(?::jsonb) as r(mailbox_id uuid, provider_message_id text,
         provider_thread_id text, internet_message_id text)
      where e.workspace_id = ? and e.internet_message_id = r.internet_message_id
        and e.mailbox_id = r.mailbox_id and e.provider_message_id like 'pending:%'`,
    [
      jsonb(
        outbound.map((r) => ({
          mailbox_id: r.mailbox_id,
          provider_message_id: r.provider_message_id,
          provider_thread_id: r.provider_thread_id,
          internet_message_id: r.internet_message_id,
        })),
      ),
      workspaceId,
    ],
  );
}

export async function insertParticipants(tx: Db, rows: readonly ParticipantRow[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await run(
    tx,
    `insert into email_participant (email_id, workspace_id, role, address, display_name, position,
       linkable, skip_reason)
     select * from jsonb_to_recordset(?::jsonb) as r(email_id uuid, workspace_id uuid, role text,
       address text, display_name text, position integer, linkable boolean, skip_reason text)
     on conflict do nothing`,
    [jsonb(rows)],
  );
}
