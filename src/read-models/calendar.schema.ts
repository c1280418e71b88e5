import { z } from 'zod';
import { exportAttendeeSchema, exportEventSchema } from './export.schema.ts';

/**
 * The calendar view (`GET /api/v1/calendar`, the `calendar` CLI command): one entry per logical
 * meeting occurrence in the window. An entry is the export's event (of one of the rows that hold
 * it) with its `id`, every mailbox that holds it, and attendees with the id of the person they
 * are linked to.
 */
export const calendarRowSchema = exportEventSchema.extend({
  id: z.uuid(),
  /** Every mailbox whose calendar holds this occurrence. */
  mailboxes: z.array(z.string()),
  attendees: z.array(exportAttendeeSchema.extend({ personId: z.uuid().nullable() })),
});

/** The attendees linked to CRM people, by the person's primary email, once each. */
export const calendarPersonSchema = z.object({
  email: z.string(),
  responseStatus: z.string(),
  companyDomain: z.string().nullable(),
});

export const calendarEventSchema = calendarRowSchema.extend({
  people: z.array(calendarPersonSchema),
});

export const calendarViewSchema = z.object({ events: z.array(calendarEventSchema) });

export type CalendarRow = z.infer<typeof calendarRowSchema>;
export type CalendarPerson = z.infer<typeof calendarPersonSchema>;
export type CalendarEventView = z.infer<typeof calendarEventSchema>;
export type CalendarView = z.infer<typeof calendarViewSchema>;
