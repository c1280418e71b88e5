import { z } from 'zod';
import { ACTIVITY_TYPES } from '../crm/activity-keys.ts';
import { isoDate, isoInstant } from './iso-time.ts';

/**
 * The `export` document (product.md "export"): the workspace's CRM-visible data, shared by the
 * CLI, the tests and the HTTP API. Beyond the fields product.md lists, export also prints ids,
 * sources, labels, skip reasons, invitations and the calendar details it shows today.
 *
 * Keys are declared in the order export prints them: parsing returns keys in schema order, and
 * the output must stay byte-for-byte the same.
 */
export const exportPersonSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  emails: z.array(z.string()),
  firstName: z.string(),
  lastName: z.string(),
  companyDomain: z.string().nullable(),
  source: z.enum(['email', 'calendar', 'manual']),
  createdAt: isoInstant,
  /** The person's addresses a delivery report said failed, with the latest bounce's status. */
  bouncedEmails: z.array(
    z.object({ email: z.string(), status: z.string().nullable(), bouncedAt: isoInstant }),
  ),
});

export const exportCompanySchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  name: z.string(),
  source: z.string(),
});

export const exportEmailParticipantSchema = z.object({
  email: z.string(),
  role: z.enum(['from', 'to', 'cc', 'bcc']),
  personEmail: z.string().nullable(),
  companyDomain: z.string().nullable(),
});

export const exportEmailSchema = z.object({
  id: z.uuid(),
  mailboxEmail: z.string(),
  providerMessageId: z.string(),
  internetMessageId: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  sentAt: isoInstant.nullable(),
  threadKey: z.string(),
  labels: z.array(z.string()),
  crmSkipReason: z.string().nullable(),
  participants: z.array(exportEmailParticipantSchema),
  /** Set when the message carries a calendar invitation (iCalendar part). */
  invitation: z
    .object({
      method: z.string().nullable(),
      iCalUid: z.string(),
      /** Stored, not deleted calendar events with the invitation's UID. */
      linkedEvents: z.number().int(),
    })
    .nullable(),
  deleted: z.boolean(),
});

export const activityTypeSchema = z.enum(ACTIVITY_TYPES);

export const exportActivitySchema = z.object({
  type: activityTypeSchema,
  personEmail: z.string(),
  companyDomain: z.string().nullable(),
  internetMessageId: z.string().nullable(),
  iCalUid: z.string().nullable(),
  occurredAt: isoInstant,
  /** EMAIL_REPLIED only: our message it answers, and the seconds since (null: no date). */
  inReplyToInternetMessageId: z.string().optional(),
  replySeconds: z.number().int().nullable().optional(),
  /** EMAIL_BOUNCED only: our message, the failed address and its status (null: no code). */
  bouncedInternetMessageId: z.string().optional(),
  bounceRecipient: z.string().optional(),
  bounceStatus: z.string().nullable().optional(),
});

export const eventStatusSchema = z.enum(['confirmed', 'tentative', 'cancelled']);

export const exportAttendeeSchema = z.object({
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['organizer', 'attendee']),
  responseStatus: z.string(),
  optional: z.boolean(),
  personEmail: z.string().nullable(),
  companyDomain: z.string().nullable(),
});

export const exportEventSchema = z.object({
  mailboxEmail: z.string(),
  calendarId: z.string(),
  providerEventId: z.string(),
  iCalUid: z.string().nullable(),
  title: z.string(),
  /** Null only for all-day events, which carry `startDate`/`endDate` instead. */
  startsAt: isoInstant.nullable(),
  endsAt: isoInstant.nullable(),
  allDay: z.boolean(),
  startDate: isoDate.nullable(),
  endDate: isoDate.nullable(),
  timeZone: z.string().nullable(),
  status: eventStatusSchema,
  organizer: z.string().nullable(),
  kind: z.enum(['single', 'instance', 'master']),
  recurringEventId: z.string().nullable(),
  originalStart: isoInstant.nullable(),
  location: z.string(),
  conferenceUrl: z.string().nullable(),
  attendees: z.array(exportAttendeeSchema),
  /** Emails in the workspace that carried this event's invitation. */
  invitations: z.array(z.object({ providerMessageId: z.string(), method: z.string().nullable() })),
});

/**
 * One stored hit on a tracking pixel or link (product.md "Sending and tracking"), machine hits
 * included: `classification` and `reason` say which, `attribution` whether `personEmail` is the
 * message's one external recipient (`single`) or the first of several (`ambiguous`).
 */
export const exportEngagementSchema = z.object({
  type: z.enum(['open', 'click']),
  internetMessageId: z.string().nullable(),
  /** The token's recipient, lower-case; null when the message had none to attribute to. */
  personEmail: z.string().nullable(),
  /** The clicked link; null for an open. */
  url: z.string().nullable(),
  classification: z.enum(['human', 'machine']),
  /** Why a hit is a machine's (`head-request`, `proxy-ip:<list>`, ...); null for a human. */
  reason: z.string().nullable(),
  attribution: z.enum(['single', 'ambiguous']),
  occurredAt: isoInstant,
});

export const workspaceExportSchema = z.object({
  people: z.array(exportPersonSchema),
  companies: z.array(exportCompanySchema),
  emails: z.array(exportEmailSchema),
  activities: z.array(exportActivitySchema),
  events: z.array(exportEventSchema),
  engagements: z.array(exportEngagementSchema),
});

export type ExportPerson = z.infer<typeof exportPersonSchema>;
export type ExportCompany = z.infer<typeof exportCompanySchema>;
export type ExportEmail = z.infer<typeof exportEmailSchema>;
export type ExportActivity = z.infer<typeof exportActivitySchema>;
export type ExportEvent = z.infer<typeof exportEventSchema>;
export type ExportEngagement = z.infer<typeof exportEngagementSchema>;
export type WorkspaceExport = z.infer<typeof workspaceExportSchema>;
