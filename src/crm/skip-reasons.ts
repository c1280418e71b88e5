/**
 * Why a message was kept out of the CRM, or why a participant created no record. Stored on the
 * email and participant rows, so counters are a query away and stay right under re-ingest.
 */
export const MESSAGE_SKIP_REASONS = [
  'bulk',
  'auto_reply',
  'automated',
  'delivery_status',
  'all_internal',
  'no_external_participants',
] as const;
export type MessageSkipReason = (typeof MESSAGE_SKIP_REASONS)[number];

export const PARTICIPANT_SKIP_REASONS = [
  'invalid_address',
  'owner',
  'internal',
  'blocklisted',
  'role_address',
  'automated_message',
  'policy',
  'participant_cap',
  /** A meeting room or equipment on an invitation. */
  'resource',
] as const;
export type ParticipantSkipReason = (typeof PARTICIPANT_SKIP_REASONS)[number];
