import { EntitySchema } from '@mikro-orm/core';

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/**
 * Calendar events as the provider lists them (Google with singleEvents, Graph calendarView: one row
 * per occurrence), and their organizer and attendees linked to people. `logicalKey` is the same for
 * one meeting seen in several mailboxes; `fingerprint` is its time and attendee list, so an update
 * is detected once; `seenInRound` marks rows a full listing saw, so a full resync can retire the
 * rest.
 */
export type EventKind = 'single' | 'instance' | 'master';

export interface CalendarEvent {
  id: string;
  workspaceId: string;
  mailboxId: string;
  calendarId: string;
  providerEventId: string;
  kind: EventKind;
  originalStart: Date | null;
  logicalKey: string;
  /** The meeting activities schedule once: an occurrence's series (crm/ids meetingSeriesKey). */
  seriesKey: string;
  fingerprint: string;
  timeZone: string | null;
  recurrence: string[];
  providerUpdatedAt: Date | null;
  seenInRound: string | null;
  icalUid: string | null;
  recurringEventId: string | null;
  title: string;
  description: string;
  location: string;
  startsAt: Date | null;
  endsAt: Date | null;
  allDay: boolean;
  startDate: string | null;
  endDate: string | null;
  status: EventStatus;
  organizer: string | null;
  conferenceUrl: string | null;
  deleted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface CalendarEventAttendee {
  eventId: string;
  workspaceId: string;
  email: string;
  displayName: string;
  role: 'organizer' | 'attendee';
  responseStatus: string;
  optional: boolean;
  linkable: boolean;
  skipReason: string | null;
  personId: string | null;
  companyId: string | null;
}

export const CalendarEventSchema = new EntitySchema<CalendarEvent>({
  name: 'CalendarEvent',
  tableName: 'calendar_event',
  uniques: [{ properties: ['mailboxId', 'calendarId', 'providerEventId'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    mailboxId: { type: 'uuid' },
    calendarId: { type: 'text', default: 'primary' },
    providerEventId: { type: 'text' },
    kind: { type: 'text', default: 'single' },
    originalStart: { type: 'Date', columnType: 'timestamptz', nullable: true },
    logicalKey: { type: 'text', default: '' },
    seriesKey: { type: 'text' },
    fingerprint: { type: 'text', default: '' },
    timeZone: { type: 'text', nullable: true },
    recurrence: { type: 'text[]', default: '{}' },
    providerUpdatedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    seenInRound: { type: 'text', nullable: true },
    icalUid: { type: 'text', nullable: true },
    recurringEventId: { type: 'text', nullable: true },
    title: { type: 'text', default: '' },
    description: { type: 'text', default: '' },
    location: { type: 'text', default: '' },
    startsAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    endsAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    allDay: { type: 'boolean', default: false },
    startDate: { type: 'string', columnType: 'date', nullable: true },
    endDate: { type: 'string', columnType: 'date', nullable: true },
    status: { type: 'text' },
    organizer: { type: 'text', nullable: true },
    conferenceUrl: { type: 'text', nullable: true },
    deleted: { type: 'boolean', default: false },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});

export const CalendarEventAttendeeSchema = new EntitySchema<CalendarEventAttendee>({
  name: 'CalendarEventAttendee',
  tableName: 'calendar_event_attendee',
  properties: {
    eventId: { type: 'uuid', primary: true },
    email: { type: 'text', primary: true },
    workspaceId: { type: 'uuid' },
    displayName: { type: 'text', default: '' },
    role: { type: 'text' },
    responseStatus: { type: 'text', default: 'needsAction' },
    optional: { type: 'boolean', default: false },
    linkable: { type: 'boolean', default: false },
    skipReason: { type: 'text', nullable: true },
    personId: { type: 'uuid', nullable: true },
    companyId: { type: 'uuid', nullable: true },
  },
});

/** A calendar's sync cursor (Google sync token / Graph delta link) and its listing in progress. */
export interface CalendarCursor {
  mailboxId: string;
  calendarId: string;
  syncToken: string | null;
  pageToken: string | null;
  roundId: string | null;
  windowStart: Date | null;
  windowEnd: Date | null;
  fullSyncs: number;
  lastSyncedAt: Date | null;
  /** Why the calendar could not be synced last time (null once it could). */
  lastError: string | null;
  updatedAt: Date;
}

export const CalendarCursorSchema = new EntitySchema<CalendarCursor>({
  name: 'CalendarCursor',
  tableName: 'calendar_cursor',
  properties: {
    mailboxId: { type: 'uuid', primary: true },
    calendarId: { type: 'text', primary: true },
    syncToken: { type: 'text', nullable: true },
    pageToken: { type: 'text', nullable: true },
    roundId: { type: 'text', nullable: true },
    windowStart: { type: 'Date', columnType: 'timestamptz', nullable: true },
    windowEnd: { type: 'Date', columnType: 'timestamptz', nullable: true },
    fullSyncs: { type: 'integer', default: 0 },
    lastSyncedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastError: { type: 'text', nullable: true },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
