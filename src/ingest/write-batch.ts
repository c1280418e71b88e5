import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClassifiedMessage } from '../crm/classify-message.ts';
import { buildEmailRow, buildParticipantRows, type EmailRow } from './build-rows.ts';
import { emptyCounters, type IngestCounters, type IngestItem } from './ingest-types.ts';
import {
  betterName,
  createPeopleAndCompanies,
  creatorOf,
  type PersonCandidate,
} from './people-writer.ts';
import { linkMeetingAttendees } from '../calendar/link-attendees.ts';
import { linkEmailParticipants } from './email-links.ts';
import { withTransactionRetry } from './transaction-retry.ts';

/**
 * Persists a batch of classified messages of one mailbox in one transaction: emails, participants,
 * companies, people, links, activities and outbox events, all with INSERT … ON CONFLICT on the
 * unique keys, so re-ingesting is a no-op and events are written exactly when the row they announce
 * is created.
 *
 * Writes are serialised per workspace with a transaction-scoped advisory lock. Without it two
 * transactions can each miss the other's uncommitted rows (mailbox A links a cc'd address while
 * mailbox B creates that person) and leave a link gap; with it every batch sees all earlier ones.
 * Parsing, the expensive part, happens before and outside the lock.
 */
export interface ClassifiedItem {
  item: IngestItem;
  classified: ClassifiedMessage;
}

const json = (value: unknown): string => JSON.stringify(value);

export async function writeBatch(
  em: EntityManager,
  workspaceId: string,
  mailboxId: string,
  batch: readonly ClassifiedItem[],
): Promise<IngestCounters> {
  return withTransactionRetry(() =>
    em.fork().transactional(async (tx) => writeInTransaction(tx, workspaceId, mailboxId, batch)),
  );
}

async function writeInTransaction(
  tx: EntityManager,
  workspaceId: string,
  mailboxId: string,
  batch: readonly ClassifiedItem[],
): Promise<IngestCounters> {
  const counters = emptyCounters();
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [workspaceId]);

  // Deduplicate within the batch (the same provider id twice) and sort for stable lock order.
  const byId = new Map<string, { row: EmailRow; classified: ClassifiedMessage }>();
  for (const { item, classified } of batch) {
    const row = buildEmailRow(workspaceId, mailboxId, item, classified);
    byId.set(row.id, { row, classified });
  }
  const entries = [...byId.values()].sort((a, b) => a.row.id.localeCompare(b.row.id));

  const inserted = await tx.execute<{ id: string }[]>(
    `insert into email (id, workspace_id, mailbox_id, provider_message_id, provider_thread_id,
       internet_message_id, in_reply_to, "references", logical_key, thread_key, direction, labels,
       subject, snippet, text_body, text_body_truncated, sent_at, size_bytes, attachments,
       automation, crm_skip_reason, ical_uid, ical_method)
     select r.id, r.workspace_id, r.mailbox_id, r.provider_message_id, r.provider_thread_id,
       r.internet_message_id, r.in_reply_to, r."references", r.logical_key, r.thread_key,
       r.direction, r.labels, r.subject, r.snippet, r.text_body, r.text_body_truncated, r.sent_at,
       r.size_bytes, r.attachments, r.automation, r.crm_skip_reason, r.ical_uid, r.ical_method
     from jsonb_to_recordset(?::jsonb) as r(id uuid, workspace_id uuid, mailbox_id uuid,
       provider_message_id text, provider_thread_id text, internet_message_id text,
       in_reply_to text, "references" text[], logical_key text, thread_key text, direction text,
       labels text[], subject text, snippet text, text_body text, text_body_truncated boolean,
       sent_at timestamptz, size_bytes integer, attachments jsonb, automation jsonb,
       crm_skip_reason text, ical_uid text, ical_method text)
     on conflict (mailbox_id, provider_message_id) do nothing
     returning id`,
    [json(entries.map((e) => e.row))],
  );
  const insertedIds = new Set(inserted.map((r) => r.id));
  counters.emailsStored = insertedIds.size;
  counters.emailsAlreadyStored = entries.length - insertedIds.size;
  const fresh = entries.filter((e) => insertedIds.has(e.row.id));
  if (fresh.length === 0) {
    return counters;
  }

  for (const { classified } of fresh) {
    const reason = classified.crmSkipReason;
    if (reason) {
      counters.messagesSkipped[reason] = (counters.messagesSkipped[reason] ?? 0) + 1;
    }
    for (const p of classified.participants) {
      if (p.skipReason) {
        counters.participantsSkipped[p.skipReason] =
          (counters.participantsSkipped[p.skipReason] ?? 0) + 1;
      }
    }
  }

  await tx.execute(
    `insert into email_participant (email_id, workspace_id, role, address, display_name, position,
       linkable, skip_reason)
     select * from jsonb_to_recordset(?::jsonb) as r(email_id uuid, workspace_id uuid, role text,
       address text, display_name text, position integer, linkable boolean, skip_reason text)
     on conflict do nothing`,
    [json(fresh.flatMap(({ row, classified }) => buildParticipantRows(row, classified)))],
  );

  const creators = new Map<string, PersonCandidate>();
  for (const { row, classified } of fresh) {
    for (const p of classified.participants) {
      if (!p.create) {
        continue;
      }
      const candidate = creatorOf(p, p.role === 'from' ? 2 : 1, row.sent_at);
      const known = creators.get(p.address);
      if (!known || betterName(candidate, known)) {
        creators.set(p.address, candidate);
      }
    }
  }
  const newPeople = await createPeopleAndCompanies(
    tx,
    workspaceId,
    [...creators.values()],
    counters,
    'email',
  );

  const links = await linkEmailParticipants(
    tx,
    workspaceId,
    fresh.map((e) => e.row.id),
    newPeople,
  );
  counters.participantsLinked = links.linked;
  counters.activitiesCreated = links.activitiesCreated;
  await linkMeetingAttendees(tx, workspaceId, newPeople);

  const announce = fresh.filter((e) => !e.row.crm_skip_reason);
  await tx.execute(
    `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
     select r.workspace_id, r.type, 'email', r.id, r.payload, r.dedupe_key
       from jsonb_to_recordset(?::jsonb) as r(workspace_id uuid, type text, id uuid,
         payload jsonb, dedupe_key text)
     on conflict (dedupe_key) do nothing`,
    [
      json(
        announce.map(({ row }) => {
          const type = row.direction === 'inbound' ? 'email.received' : 'email.sent';
          return {
            workspace_id: workspaceId,
            type,
            id: row.id,
            payload: {
              emailId: row.id,
              mailboxId,
              internetMessageId: row.internet_message_id,
              threadKey: row.thread_key,
              subject: row.subject,
              sentAt: row.sent_at,
            },
            dedupe_key: `${type}:${workspaceId}:${row.logical_key}`,
          };
        }),
      ),
    ],
  );
  return counters;
}
