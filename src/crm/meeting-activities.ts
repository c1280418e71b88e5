import { activityKey, type ActivityType } from './activity-keys.ts';

/**
 * Which meeting activities one observed state of an event gives, as a pure function of that state
 * and the one stored before it. Keys make each activity happen once per meeting, person and
 * change, whichever mailbox or resync sees it:
 * - MEETING_SCHEDULED once per person and meeting, for everyone linked while it is live;
 * - MEETING_UPDATED when time or attendees changed (the new fingerprint is in the key), for those
 *   who were already on it;
 * - MEETING_CANCELLED when it is cancelled or removed, for everyone who was on it, and for a
 *   person taken off a live meeting.
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
  logicalKey: string;
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
    suffix = '',
  ): void => {
    out.push({
      type,
      personId: person.personId,
      companyId: person.companyId,
      eventId: state.eventId,
      icalUid: state.icalUid,
      occurredAt,
      key: activityKey(type, person.personId, state.logicalKey, suffix),
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
      add('MEETING_CANCELLED', person, changedAt);
    }
    return out;
  }

  for (const person of state.people) {
    add('MEETING_SCHEDULED', person, state.startsAt ?? changedAt);
  }
  if (wasLive && prior.fingerprint !== state.fingerprint) {
    const before = new Set(prior.people);
    for (const person of state.people) {
      if (before.has(person.personId)) {
        add('MEETING_UPDATED', person, changedAt, `:${state.fingerprint}`);
      }
    }
    for (const personId of prior.people) {
      if (!current.has(personId)) {
        add('MEETING_CANCELLED', { personId, companyId: null }, changedAt);
      }
    }
  }
  return out;
}
