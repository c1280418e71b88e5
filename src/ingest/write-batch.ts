import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailboxTarget } from '../crm/mailbox-target.ts';
import { bestCandidates } from '../crm/person-candidates.ts';
import { linkMeetingAttendees } from '../db/crm/attendee-links.ts';
import { logBounces } from '../db/crm/bounces.ts';
import { linkEmailParticipants } from '../db/crm/email-links.ts';
import { logReplies } from '../db/crm/replies.ts';
import { createPeopleAndCompanies } from '../db/crm/people.ts';
import {
  adoptPendingCopies,
  insertEmails,
  insertParticipants,
} from '../db/repositories/email.repository.ts';
import { classifyDbError, dbErrorReason } from '../db/db-error.ts';
import { appendEvents } from '../db/outbox.ts';
import { withTransactionRetry } from '../db/transaction-retry.ts';
import { lockWorkspace } from '../db/workspace-lock.ts';
import { addCounters, emptyCounters, type IngestCounters } from './ingest-types.ts';
import {
  countSkips,
  emailEvents,
  planEmailBatch,
  type ClassifiedItem,
} from './plan-email-batch.ts';
import { bounceEvents, replyEvents } from './plan-reply-events.ts';

export type { ClassifiedItem } from './plan-email-batch.ts';

export interface BatchWrite {
  counters: IngestCounters;
  /** Provider message id → why the database refused that message; all others were stored. */
  rejected: Map<string, string>;
}

/**
 * Persists a batch of classified messages of one mailbox in one transaction: emails, participants,
 * companies, people, links, activities and outbox events, all with INSERT … ON CONFLICT on the
 * unique keys, so re-ingesting is a no-op and events are written exactly when the row they announce
 * is created. Writes hold the workspace lock (see workspace-lock.ts); parsing, the expensive part,
 * happens before and outside it.
 *
 * When the database refuses the batch for its data (see db-error.ts: a permanent error), the
 * batch is written again one message per transaction, so only the message it refuses is
 * rejected, with its reason, and every other one is stored. Any other error is thrown as before.
 */
export async function writeBatch(
  em: EntityManager,
  target: MailboxTarget,
  batch: readonly ClassifiedItem[],
): Promise<BatchWrite> {
  if (batch.length > 1) {
    try {
      return { counters: await writeTogether(em, target, batch), rejected: new Map() };
    } catch (err) {
      if (classifyDbError(err) !== 'permanent') {
        throw err;
      }
    }
  }
  const counters = emptyCounters();
  const rejected = new Map<string, string>();
  for (const one of batch) {
    try {
      addCounters(counters, await writeTogether(em, target, [one]));
    } catch (err) {
      if (classifyDbError(err) !== 'permanent') {
        throw err;
      }
      rejected.set(one.item.providerMessageId, dbErrorReason(err));
    }
  }
  return { counters, rejected };
}

async function writeTogether(
  em: EntityManager,
  target: MailboxTarget,
  batch: readonly ClassifiedItem[],
): Promise<IngestCounters> {
  const plan = planEmailBatch(target.workspaceId, target.mailboxId, batch);
  return withTransactionRetry(() =>
    em.fork().transactional(async (tx) => {
      const { workspaceId } = target;
      const counters = emptyCounters();
      await lockWorkspace(tx, workspaceId);
      await adoptPendingCopies(
        tx,
        workspaceId,
        plan.map((p) => p.row),
      );

      const insertedIds = await insertEmails(
        tx,
        plan.map((p) => p.row),
      );
      counters.emailsStored = insertedIds.size;
      counters.emailsAlreadyStored = plan.length - insertedIds.size;
      const stored = plan.filter((p) => insertedIds.has(p.row.id));
      if (stored.length === 0) {
        return counters;
      }
      Object.assign(counters, countSkips(stored));
      await insertParticipants(
        tx,
        stored.flatMap((p) => p.participants),
      );

      const people = await createPeopleAndCompanies(
        tx,
        workspaceId,
        bestCandidates(stored.flatMap((p) => p.candidates)),
        'email',
      );
      counters.peopleCreated = people.peopleCreated;
      counters.companiesCreated = people.companiesCreated;
      const links = await linkEmailParticipants(
        tx,
        workspaceId,
        stored.map((p) => p.row.id),
        people.newPeople,
      );
      counters.participantsLinked = links.linked.length;
      await linkMeetingAttendees(tx, workspaceId, people.newPeople);
      // Replies and bounces complete when either side is stored; a reply also when its sender was
      // just linked to a person created now.
      const storedIds = stored.map((p) => p.row.id);
      const replies = await logReplies(tx, workspaceId, [
        ...new Set([...storedIds, ...links.linked.map((l) => l.emailId)]),
      ]);
      const bounces = await logBounces(tx, workspaceId, storedIds);
      counters.activitiesCreated =
        links.activitiesCreated + replies.length + bounces.activitiesCreated;
      await appendEvents(tx, [
        ...emailEvents(target, stored, links.linked),
        ...replyEvents(workspaceId, replies),
        ...bounceEvents(workspaceId, bounces.detected),
      ]);
      return counters;
    }),
  );
}
