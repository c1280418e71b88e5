import type { ClassifiedMessage } from '../crm/classify-message.ts';
import type { MailboxTarget } from '../crm/mailbox-target.ts';
import { creatorOf, type PersonCandidate } from '../crm/person-candidates.ts';
import type { EmailRow, ParticipantRow } from '../db/repositories/email.repository.ts';
import type { LinkedParticipant } from '../db/crm/email-links.ts';
import type { DomainEvent } from '../events/catalog.ts';
import { pgSafe } from '../mail/pg-text.ts';
import { buildEmailRow, buildParticipantRows } from './build-rows.ts';
import type { IngestCounters, IngestItem } from './ingest-types.ts';

/**
 * What a batch of classified messages asks the store to write, as pure functions: the plan is
 * made for every message, and the apply step keeps the part for the emails it actually stored.
 */
export interface ClassifiedItem {
  item: IngestItem;
  classified: ClassifiedMessage;
}

export interface PlannedEmail {
  row: EmailRow;
  participants: ParticipantRow[];
  /** Who this message would create or name (the batch keeps the best per address). */
  candidates: PersonCandidate[];
  classified: ClassifiedMessage;
}

/**
 * One plan per provider message (the last copy wins), sorted by id for a stable lock order. Every
 * text the plan stores (row, jsonb columns, participants, person names) passes `pgSafe` here, once:
 * a NUL or a lone surrogate in one message must not fail the statement for the whole batch.
 */
export function planEmailBatch(
  workspaceId: string,
  mailboxId: string,
  batch: readonly ClassifiedItem[],
): PlannedEmail[] {
  const byId = new Map<string, PlannedEmail>();
  for (const { item, classified } of batch) {
    const row = buildEmailRow(workspaceId, mailboxId, item, classified);
    const stored = pgSafe({
      row,
      participants: buildParticipantRows(row, classified),
      candidates: classified.participants
        .filter((p) => p.create)
        .map((p) => creatorOf(p, p.role === 'from' ? 2 : 1, row.sent_at)),
    });
    byId.set(stored.row.id, { ...stored, classified });
  }
  return [...byId.values()].sort((a, b) => a.row.id.localeCompare(b.row.id));
}

/** Why stored messages and participants stay out of the CRM, counted. */
export function countSkips(
  stored: readonly PlannedEmail[],
): Pick<IngestCounters, 'messagesSkipped' | 'participantsSkipped'> {
  const counts: Pick<IngestCounters, 'messagesSkipped' | 'participantsSkipped'> = {
    messagesSkipped: {},
    participantsSkipped: {},
  };
  for (const { classified } of stored) {
    const reason = classified.crmSkipReason;
    if (reason) {
      counts.messagesSkipped[reason] = (counts.messagesSkipped[reason] ?? 0) + 1;
    }
    for (const p of classified.participants) {
      if (p.skipReason) {
        counts.participantsSkipped[p.skipReason] =
          (counts.participantsSkipped[p.skipReason] ?? 0) + 1;
      }
    }
  }
  return counts;
}

const ROLE_ORDER: Record<string, number> = { from: 0, to: 1, cc: 2, bcc: 3 };

/**
 * The person an email event is about: the sender of received mail, the first recipient of sent
 * mail (To before Cc before Bcc), and only once linked to a CRM person.
 */
function personOf(
  direction: string,
  linked: readonly LinkedParticipant[],
): LinkedParticipant | null {
  const eligible = linked
    .filter((p) => (direction === 'inbound' ? p.role === 'from' : p.role !== 'from'))
    .sort(
      (a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.position - b.position,
    );
  return eligible[0] ?? null;
}

/**
 * `email.received` / `email.sent` for the emails stored now that reach the CRM, one per logical
 * email in the workspace. `linked`: the participants linked to people in this transaction.
 */
export function emailEvents(
  target: Pick<MailboxTarget, 'workspaceId' | 'mailboxId' | 'mailboxEmail'>,
  stored: readonly PlannedEmail[],
  linked: readonly LinkedParticipant[],
): DomainEvent[] {
  const linkedByEmail = new Map<string, LinkedParticipant[]>();
  for (const p of linked) {
    linkedByEmail.set(p.emailId, [...(linkedByEmail.get(p.emailId) ?? []), p]);
  }
  return stored
    .filter(({ row }) => !row.crm_skip_reason)
    .map(({ row }): DomainEvent => {
      const person = personOf(row.direction, linkedByEmail.get(row.id) ?? []);
      return {
        type: row.direction === 'inbound' ? 'email.received' : 'email.sent',
        workspaceId: target.workspaceId,
        aggregateId: row.id,
        occurrence: row.logical_key,
        data: {
          emailId: row.id,
          mailboxId: target.mailboxId,
          mailboxEmail: target.mailboxEmail,
          internetMessageId: row.internet_message_id,
          threadKey: row.thread_key,
          subject: row.subject,
          sentAt: row.sent_at,
          personEmail: person?.address ?? null,
          companyDomain: person?.companyDomain ?? null,
        },
      };
    });
}
