import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './catalog.ts';

/**
 * What consumers receive for every outbox row (product.md, "Domain events out"): the same
 * envelope on the `events` queue, in webhooks (its id is the `webhook-id`) and in the pull feed.
 */
export interface EventEnvelope {
  /** `evt_` + the feed sequence, zero-padded: ids sort as strings in feed order. */
  id: string;
  type: EventType;
  /** When the transaction that made the event wrote it (ISO 8601 UTC). */
  occurredAt: string;
  workspaceId: string;
  data: Record<string, unknown>;
}

// Nineteen digits hold every positive bigint, so the padding never runs out and the string order
// is the numeric order for the column's whole range.
const SEQ_DIGITS = 19;

/** The event id of feed sequence number `seq` (a positive bigint, as a decimal string). */
export function eventId(seq: string): string {
  if (!/^[1-9][0-9]*$/.test(seq) || seq.length > SEQ_DIGITS) {
    throw new Error(`not a feed sequence number: ${seq}`);
  }
  return `evt_${seq.padStart(SEQ_DIGITS, '0')}`;
}

/** The feed sequence number an event id names, or null for anything that is not an event id. */
export function seqOfEventId(id: string): string | null {
  const match = /^evt_([0-9]{19})$/.exec(id);
  if (!match?.[1]) {
    return null;
  }
  const seq = match[1].replace(/^0+/, '');
  return seq === '' ? null : seq;
}

export interface SequencedOutboxRow {
  seq: string;
  type: EventType;
  workspaceId: string;
  createdAt: Date;
  payload: Record<string, unknown>;
}

export function toEnvelope(row: SequencedOutboxRow): EventEnvelope {
  return {
    id: eventId(row.seq),
    type: row.type,
    occurredAt: row.createdAt.toISOString(),
    workspaceId: row.workspaceId,
    data: row.payload,
  };
}

export const eventEnvelopeSchema = z.object({
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  occurredAt: z.string(),
  workspaceId: z.guid(),
  data: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<EventEnvelope>;
