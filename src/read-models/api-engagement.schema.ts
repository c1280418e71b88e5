import { z } from 'zod';
import { exportEngagementSchema } from './export.schema.ts';
import { isoInstant } from './iso-time.ts';

/**
 * An email's engagements as `GET /api/v1/emails/{id}/engagements` shows them: every stored hit on
 * its pixel and links (machine hits included, with their reason), and counts over all of them.
 */
export const engagementItemSchema = z.object({
  /** The hit's id (a decimal string: hits are numbered, not uuids). */
  id: z.string().regex(/^\d+$/),
  type: exportEngagementSchema.shape.type,
  url: z.string().nullable(),
  personEmail: z.string().nullable(),
  classification: exportEngagementSchema.shape.classification,
  reason: z.string().nullable(),
  attribution: exportEngagementSchema.shape.attribution,
  /** The HTTP method of the hit (`HEAD` is a machine's). */
  method: z.string(),
  userAgent: z.string().nullable(),
  occurredAt: isoInstant,
});

const count = z.number().int().min(0);

export const engagementKindCountsSchema = z.object({
  total: count,
  human: count,
  machine: count,
  /** Machine hits by their full reason (`proxy-ip:microsoft-eop` is its own key). */
  machineByReason: z.record(z.string(), count),
});

export const engagementCountsSchema = z.object({
  opens: engagementKindCountsSchema,
  clicks: engagementKindCountsSchema.extend({
    /** Each clicked link with its hits, by URL. */
    byUrl: z.array(z.object({ url: z.string(), human: count, machine: count })),
  }),
});

export const engagementPageSchema = z.object({
  items: z.array(engagementItemSchema),
  nextCursor: z.string().nullable(),
  counts: engagementCountsSchema,
});

export type EngagementItem = z.infer<typeof engagementItemSchema>;
export type EngagementCounts = z.infer<typeof engagementCountsSchema>;
export type EngagementPage = z.infer<typeof engagementPageSchema>;
