import { v5 as uuidv5 } from 'uuid';

/**
 * Deterministic ids derived from business keys: the same email, person, company, event or activity
 * always gets the same id, so a retry or a second worker writing the same thing collides on the
 * primary key instead of creating a twin.
 */
const NAMESPACE = '6f1c1e52-3f0b-4b7a-9a43-0d7e4c1b2a90';

export const emailId = (mailboxId: string, providerMessageId: string): string =>
  uuidv5(`email:${mailboxId}:${providerMessageId}`, NAMESPACE);

export const personId = (workspaceId: string, address: string): string =>
  uuidv5(`person:${workspaceId}:${address}`, NAMESPACE);

export const companyId = (workspaceId: string, domain: string): string =>
  uuidv5(`company:${workspaceId}:${domain}`, NAMESPACE);

/**
 * An activity's id from its idempotency key (see activity-keys.ts). Rows written before this
 * scheme keep their md5-derived ids; the unique (workspace, key) constraint stays the guard.
 */
export const activityId = (workspaceId: string, key: string): string =>
  uuidv5(`activity:${workspaceId}:${key}`, NAMESPACE);

/** One logical email per workspace: the Message-ID, else this mailbox's copy only. */
export function logicalKey(
  internetMessageId: string | null,
  mailboxId: string,
  providerMessageId: string,
): string {
  return internetMessageId ? `mid:${internetMessageId}` : `mbx:${mailboxId}:${providerMessageId}`;
}

/**
 * Provider-independent thread key: the thread's root Message-ID (first of References, else
 * In-Reply-To, else the message's own id). Gmail thread ids and Graph conversation ids differ per
 * mailbox and provider; this is the same everywhere.
 */
export function threadKey(
  references: readonly string[],
  inReplyTo: string | null,
  internetMessageId: string | null,
  fallback: string,
): string {
  const root = references[0] ?? inReplyTo ?? internetMessageId;
  return root ? `mid:${root}` : fallback;
}

export const calendarEventId = (
  mailboxId: string,
  calendarId: string,
  providerEventId: string,
): string => uuidv5(`event:${mailboxId}:${calendarId}:${providerEventId}`, NAMESPACE);

/**
 * One logical meeting per workspace: the iCalendar UID (shared by every calendar that holds the
 * meeting), plus the original start for one occurrence of a series (Google shares the UID across
 * a series); else this calendar's copy only.
 */
export function meetingKey(
  icalUid: string | null,
  originalStart: Date | null,
  mailboxId: string,
  calendarId: string,
  providerEventId: string,
): string {
  if (!icalUid) {
    return `evt:${mailboxId}:${calendarId}:${providerEventId}`;
  }
  return originalStart ? `ical:${icalUid}@${originalStart.toISOString()}` : `ical:${icalUid}`;
}
