import { z } from 'zod';
import { eventStatusSchema } from './export.schema.ts';
import { isoInstant } from './iso-time.ts';

/**
 * The calendar view (`calendar` CLI command, and next `GET /api/v1/calendar`): one entry per
 * logical meeting occurrence in the window, with every mailbox that holds it. Keys are declared in
 * the order the command prints them.
 */
export const calendarEventSchema = z.object({
  iCalUid: z.string().nullable(),
  title: z.string(),
  startsAt: isoInstant,
  /** The start again when the provider sent no end. */
  endsAt: isoInstant,
  allDay: z.boolean(),
  status: eventStatusSchema,
  organizer: z.string().nullable(),
  mailboxes: z.array(z.string()),
  /** Attendees linked to people, by their primary email. */
  people: z.array(
    z.object({
      email: z.string(),
      responseStatus: z.string(),
      companyDomain: z.string().nullable(),
    }),
  ),
});

export const calendarViewSchema = z.object({ events: z.array(calendarEventSchema) });

export type CalendarEventView = z.infer<typeof calendarEventSchema>;
export type CalendarView = z.infer<typeof calendarViewSchema>;
