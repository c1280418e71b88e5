import { EntitySchema } from '@mikro-orm/core';

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

/** Calendar events and their attendees: schema now, filled by calendar sync (a later issue). */
export interface CalendarEvent {
  id: string;
  workspaceId: string;
  mailboxId: string;
  providerEventId: string;
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
  personId: string | null;
  companyId: string | null;
}

export const CalendarEventSchema = new EntitySchema<CalendarEvent>({
  name: 'CalendarEvent',
  tableName: 'calendar_event',
  uniques: [{ properties: ['mailboxId', 'providerEventId'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    mailboxId: { type: 'uuid' },
    providerEventId: { type: 'text' },
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
    personId: { type: 'uuid', nullable: true },
    companyId: { type: 'uuid', nullable: true },
  },
});
