import type { EmailDirection, ParticipantRole } from './email-roles.ts';

/**
 * Activity idempotency keys: one activity per type, person and logical record (a logical email,
 * a logical meeting), whichever mailbox or resync sees it. Written only here; the id follows
 * from the key (`activityId` in ids.ts).
 */
export const ACTIVITY_TYPES = [
  'EMAIL_RECEIVED',
  'EMAIL_SENT',
  'EMAIL_REPLIED',
  'EMAIL_BOUNCED',
  'EMAIL_OPENED',
  'EMAIL_CLICKED',
  'MEETING_SCHEDULED',
  'MEETING_UPDATED',
  'MEETING_CANCELLED',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** `suffix` distinguishes repeated activities of one kind (an update names its new fingerprint). */
export const activityKey = (
  type: ActivityType,
  personId: string,
  logicalKey: string,
  suffix = '',
): string => `${type}:${personId}:${logicalKey}${suffix}`;

/**
 * Which email activity a linked participant gives: received mail is logged for its sender, sent
 * mail for its recipients; mail kept out of the CRM or deleted gives none.
 */
export function emailActivityType(p: {
  direction: EmailDirection;
  role: ParticipantRole;
  crmSkipped: boolean;
  deleted: boolean;
}): ActivityType | null {
  if (p.crmSkipped || p.deleted) {
    return null;
  }
  if (p.direction === 'inbound') {
    return p.role === 'from' ? 'EMAIL_RECEIVED' : null;
  }
  return p.role === 'from' ? null : 'EMAIL_SENT';
}
