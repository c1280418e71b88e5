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

/**
 * Outlook's UIDs are Global Object IDs (MS-OXOCAL §2.2.1.27): hex of a fixed class id, then four
 * bytes of instance date (year, month, day), zero for the series itself. Graph's `iCalUId` of an
 * occurrence carries its date there, so it differs per occurrence; with the date zeroed it is the
 * series' UID (the "clean" Global Object ID, §2.2.1.28). Other UIDs (Google's, any iCalendar UID)
 * are already shared by every occurrence and are returned as they are.
 */
const GLOBAL_OBJECT_ID = /^(040000008200E00074C5B7101A82E008)[0-9A-F]{8}/i;

export const seriesUid = (icalUid: string): string =>
  icalUid.replace(GLOBAL_OBJECT_ID, '$100000000');

/**
 * The meeting a person is scheduled for once (MEETING_SCHEDULED): for one occurrence of a series
 * the whole series, whichever occurrence is seen first and whichever calendar holds it (the
 * series' UID), else this calendar's copy of the series; any other event is its own meeting
 * (`logicalKey`). The migration Migration20261203000000_meeting_series computes the same in SQL.
 */
export function meetingSeriesKey(
  event: { icalUid: string | null; kind: string; seriesId: string | null },
  logicalKey: string,
  mailboxId: string,
  calendarId: string,
): string {
  if (event.kind !== 'instance') {
    return logicalKey;
  }
  if (event.icalUid) {
    return `ical:${seriesUid(event.icalUid)}`;
  }
  return event.seriesId ? `series:${mailboxId}:${calendarId}:${event.seriesId}` : logicalKey;
}
