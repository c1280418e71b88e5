import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailboxTarget } from '../crm/mailbox-target.ts';
import { bestCandidates } from '../crm/person-candidates.ts';
import {
  cancelEvents,
  linkedPeopleOf,
  loadLiveInstancesOf,
  loadStoredEvents,
  replaceAttendees,
  upsertEvents,
} from '../db/repositories/calendar-event.repository.ts';
import { linkAttendeesOfEvents, linkMeetingAttendees } from '../db/crm/attendee-links.ts';
import { linkEmailParticipants } from '../db/crm/email-links.ts';
import { recordMeetingActivities } from '../db/crm/meeting-activities.ts';
import { createPeopleAndCompanies } from '../db/crm/people.ts';
import { withTransactionRetry } from '../db/transaction-retry.ts';
import { lockWorkspace } from '../db/workspace-lock.ts';
import type { CalendarChange } from '../providers/calendar-source.ts';
import {
  emptyEventCounters,
  pageActivities,
  pageChanges,
  planCalendarPage,
  type CalendarPagePlan,
  type EventWriteCounters,
} from './plan-calendar-page.ts';
import { touchedSeries } from './plan-meeting-series.ts';

export {
  emptyEventCounters,
  eventFingerprint,
  type EventWriteCounters,
} from './plan-calendar-page.ts';

/**
 * Persists one page of calendar changes of one calendar in one transaction: events (upserted on
 * mailbox + calendar + provider id), their organizer and attendees, people and companies under the
 * mail rules, links, meeting activities and their outbox events. Holds the workspace lock that mail
 * ingest takes too, so a person seen by mail and by a meeting at once is created once. Re-applying
 * a page changes nothing: activities are keyed on type, person, meeting and (for updates) the new
 * time-and-attendees fingerprint.
 */
export async function writeCalendarChanges(
  em: EntityManager,
  target: MailboxTarget,
  calendarId: string,
  roundId: string | null,
  changes: readonly CalendarChange[],
): Promise<EventWriteCounters> {
  const page = pageChanges(changes);
  return withTransactionRetry(() =>
    em.fork().transactional(async (tx) => {
      const { workspaceId, mailboxId } = target;
      const counters = emptyEventCounters();
      await lockWorkspace(tx, workspaceId);
      if (page.ids.length === 0) {
        return counters;
      }
      const stored = await loadStoredEvents(tx, mailboxId, calendarId, page.ids);
      const before = new Map(stored.map((r) => [r.provider_event_id, r]));
      const seriesInstances = await loadLiveInstancesOf(
        tx,
        mailboxId,
        calendarId,
        touchedSeries(page, before),
      );
      const plan = planCalendarPage(target, calendarId, roundId, page, before, seriesInstances);
      Object.assign(counters, plan.counters);

      if (plan.upserts.length > 0) {
        Object.assign(counters, await applyUpserts(tx, workspaceId, plan));
      }
      await cancelEvents(
        tx,
        plan.removed.map((r) => r.id),
      );

      const linked = await linkedPeopleOf(
        tx,
        plan.upserts.map((u) => u.id),
      );
      counters.activitiesCreated += await recordMeetingActivities(
        tx,
        workspaceId,
        mailboxId,
        pageActivities(plan, before, linked),
      );
      return counters;
    }),
  );
}

/**
 * Events, attendees, the people they create, and links: this page's attendees first (their
 * activities follow from the state change), then the earlier meetings and mail of people created
 * just now.
 */
async function applyUpserts(
  tx: EntityManager,
  workspaceId: string,
  plan: CalendarPagePlan,
): Promise<Pick<EventWriteCounters, 'peopleCreated' | 'companiesCreated' | 'activitiesCreated'>> {
  const eventIds = plan.upserts.map((u) => u.id);
  await upsertEvents(tx, plan.rows);
  await replaceAttendees(tx, eventIds, plan.attendees);
  const people = await createPeopleAndCompanies(
    tx,
    workspaceId,
    bestCandidates(plan.candidates),
    'calendar',
  );
  await linkAttendeesOfEvents(tx, workspaceId, eventIds);
  const meetings = await linkMeetingAttendees(tx, workspaceId, people.newPeople);
  const mail = await linkEmailParticipants(tx, workspaceId, [], people.newPeople);
  return {
    peopleCreated: people.peopleCreated,
    companiesCreated: people.companiesCreated,
    activitiesCreated: meetings + mail.activitiesCreated,
  };
}
