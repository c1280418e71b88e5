import { z } from 'zod';
import { isoInstant } from './iso-time.ts';

/**
 * The `mailbox:status` object (and `GET /api/v1/mailboxes/{id}`): health, sync checkpoints,
 * backfill progress, each calendar's stage and the counters of what was stored and kept out.
 * Keys are declared in the order the command prints them.
 */
export const mailboxStatusValueSchema = z.enum([
  'active',
  'syncing',
  'reauth_required',
  'error',
  'disconnected',
]);

export const calendarStatusSchema = z.object({
  calendarId: z.string(),
  /** `full` while a full listing (round) is in progress, `pending` before the first one. */
  stage: z.enum(['incremental', 'full', 'pending']),
  window: z.object({ start: isoInstant, end: isoInstant }).nullable(),
  fullSyncs: z.number().int(),
  lastSyncedAt: isoInstant.nullable(),
  lastError: z.string().nullable(),
  events: z.number().int(),
  cancelled: z.number().int(),
});

export const backfillStatusSchema = z.object({
  done: z.number().int(),
  total: z.number().int().nullable(),
  resyncs: z.number().int().optional(),
  startedAt: isoInstant.nullable().optional(),
  finishedAt: isoInstant.nullable().optional(),
  /** Seconds left at the rate so far; 0 once done, null when it cannot be estimated. */
  etaSeconds: z.number().int().nullable(),
});

/** Reasons mapped to how many stored messages or participants they kept out of the CRM. */
const skipCounts = z.record(z.string(), z.number().int());

export const mailboxStatusSchema = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  email: z.string(),
  provider: z.enum(['google', 'microsoft']),
  status: mailboxStatusValueSchema,
  /** `syncing` with no live worker behind it (heartbeat expired); the next poll re-queues it. */
  stale: z.boolean(),
  /** Until when the running sync's heartbeat vouches for it; null when none runs. */
  syncAliveUntil: isoInstant.nullable(),
  stages: z.object({ mail: z.enum(['backfill', 'incremental']).optional() }),
  cursors: z.object({
    mail: z.string().nullable().optional(),
    backfillStart: z.string().nullable().optional(),
    backfillPageToken: z.string().nullable().optional(),
  }),
  backfill: backfillStatusSchema,
  calendars: z.array(calendarStatusSchema),
  lastError: z.string().nullable(),
  lastSyncedAt: isoInstant.nullable(),
  counts: z.object({
    emails: z.number().int(),
    deleted: z.number().int(),
    loggedToCrm: z.number().int(),
    skippedMessages: skipCounts,
    skippedParticipants: skipCounts,
    /**
     * Messages that could not be stored: still to be retried, or given up on after their
     * attempts (MAILROOM_MESSAGE_RETRY_SECONDS), with how many failed for each reason.
     */
    failedMessages: z.object({
      retrying: z.number().int(),
      permanent: z.number().int(),
      reasons: skipCounts,
    }),
  }),
});

export type MailboxStatusView = z.infer<typeof mailboxStatusSchema>;
export type BackfillStatus = z.infer<typeof backfillStatusSchema>;
