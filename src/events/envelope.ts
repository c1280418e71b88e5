import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './catalog.ts';

/**
 * What every consumer receives for one event (product.md "Domain events out"): the queue `events`
 * job data, a webhook body, a feed item. `id` never changes and sorts, as a string, in feed order;
 * it is the webhook's `webhook-id`. Times are ISO 8601 UTC.
 */
export interface EventEnvelope {
  id: string;
  type: EventType;
  occurredAt: string;
  workspaceId: string;
  data: Record<string, unknown>;
}

export const eventEnvelopeSchema = z.object({
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  occurredAt: z.string(),
  workspaceId: z.guid(),
  data: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<EventEnvelope>;
