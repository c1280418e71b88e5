import { z } from 'zod';
import {
  exportActivitySchema,
  exportCompanySchema,
  exportEmailSchema,
  exportPersonSchema,
} from './export.schema.ts';
import { isoInstant } from './iso-time.ts';

/**
 * The CRM API's people, companies and timelines (product.md "HTTP API"), built on the export's
 * fields so a client reading both sees one vocabulary.
 */
export const personViewSchema = exportPersonSchema.extend({
  companyId: z.uuid().nullable(),
  /** Fields a user set through the API; sync never overwrites them. */
  editedFields: z.array(z.string()),
});

export const companyViewSchema = exportCompanySchema.extend({
  peopleCount: z.number().int(),
});

/** The email an EMAIL_* activity is about (null when it was purged). */
export const timelineEmailSchema = exportEmailSchema
  .pick({
    id: true,
    subject: true,
    direction: true,
    sentAt: true,
    internetMessageId: true,
    threadKey: true,
  })
  .extend({ mailboxId: z.uuid() });

/** The meeting (calendar event row) a MEETING_* activity is about (null when it is gone). */
export const timelineMeetingSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  startsAt: isoInstant.nullable(),
  endsAt: isoInstant.nullable(),
  allDay: z.boolean(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']),
});

export const timelineItemSchema = exportActivitySchema.extend({
  id: z.uuid(),
  email: timelineEmailSchema.nullable(),
  meeting: timelineMeetingSchema.nullable(),
});

export type PersonView = z.infer<typeof personViewSchema>;
export type CompanyView = z.infer<typeof companyViewSchema>;
export type TimelineItem = z.infer<typeof timelineItemSchema>;
