import { activityKey, type ActivityType } from './activity-keys.ts';

/**
 * Which meeting activities one observed state of an event gives, as a pure function of that state
 * and the one stored before it. Keys make each activity happen once per meeting, person and
 * change, whichever mailbox or resync sees it. A recurring series is one meeting (product.md):
 * - MEETING_SCHEDULED once per person and meeting (`seriesKey`: the series for an occurrence),
 *   for everyone linked while it is live;
 * - MEETING_UPDATED when time or attendees changed, for those who were already on it, under
 *   `changeKey` (the occurrence when it changed on its own, else the series) and
 *   `changeFingerprint` (the new state, so a series-wide change seen on every occurrence is one);
 * - MEETING_CANCELLED when it is cancelled or removed, for everyone who was on it, under
 *   `cancelKey` (the occurrence, or the series when all of it is cancelled), and under `changeKey`
 *   for a person taken off a live meeting.
 * A meeting first seen already cancelled gives nothing: nobody was told it was on.
 */
export type MeetingActivityType = Extract<ActivityType, `MEETING_${string}`>;

export interface LinkedPerson {
  personId: string;
  companyId: string | null;
}

export interface PriorState {
  status: string;
  fingerprint: string;
  people: string[];
}

export interface MeetingState {
  eventId: string;
  seriesKey: string;
  changeKey: string;
  changeFingerprint: string;
  cancelKey: string;
  icalUid: string | null;
  status: 'confirmed' | 'tentative' | 'cancelled';
  fingerprint: string;
  startsAt: Date | null;
  /** When the provider says the event last changed. */
  changedAt: Date | null;
  people: LinkedPerson[];
  prior: PriorState | null;
}

export interface MeetingActivity {
  type: MeetingActivityType;
  personId: string;
  companyId: string | null;
  eventId: string;
  icalUid: string | null;
  occurredAt: Date;
  key: string;
}

export function meetingActivities(state: MeetingState, now = new Date()): MeetingActivity[] {
  const out: MeetingActivity[] = [];
  const add = (
    type: MeetingActivityType,
    person: LinkedPerson,
    occurredAt: Date,
    meeting: string,
    suffix = '',
  ): void => {
    out.push({
      type,
      personId: person.personId,
      companyId: person.companyId,
      eventId: state.eventId,
      icalUid: state.icalUid,
      occurredAt,
      key: activityKey(type, person.personId, meeting, suffix),
    });
  };
  const changedAt = state.changedAt ?? now;
  const prior = state.prior;
  const wasLive = prior !== null && prior.status !== 'cancelled';
  const current = new Set(state.people.map((p) => p.personId));

  if (state.status === 'cancelled') {
    if (!wasLive) {
      return out;
    }
    const everyone = new Map(state.people.map((p) => [p.personId, p]));
    for (const personId of prior.people) {
      if (!everyone.has(personId)) {
        everyone.set(personId, { personId, companyId: null });
      }
    }
    for (const person of everyone.values()) {
      add('MEETING_CANCELLED', person, changedAt, state.cancelKey);
    }
    return out;
  }

  for (const person of state.people) {
    add('MEETING_SCHEDULED', person, state.startsAt ?? changedAt, state.seriesKey);
  }
  if (wasLive && prior.fingerprint !== state.fingerprint) {
    const before = new Set(prior.people);
    for (const person of state.people) {
      if (before.has(person.personId)) {
        add('MEETING_UPDATED', person, changedAt, state.changeKey, `:${state.changeFingerprint}`);
      }
    }
    for (const personId of prior.people) {
      if (!current.has(personId)) {
        add('MEETING_CANCELLED', { personId, companyId: null }, changedAt, state.changeKey);
      }
    }
  }
  return out;
}

/**
 * One activity per key, the earliest: the occurrences of a series in one batch all ask for the
 * series' MEETING_SCHEDULED, and it belongs to the first of them.
 */
export function firstPerKey(activities: readonly MeetingActivity[]): MeetingActivity[] {
  const first = new Map<string, MeetingActivity>();
  for (const a of activities) {
    const seen = first.get(a.key);
    if (!seen || a.occurredAt < seen.occurredAt) {
      first.set(a.key, a);
    }
  }
  return [...first.values()];
}
