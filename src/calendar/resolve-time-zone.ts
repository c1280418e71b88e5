import { findIana } from 'windows-iana';
import { isKnownTimeZone, zonedToUtc } from './zoned-time.ts';

/**
 * A time-zone name as calendars write it → an IANA zone the runtime knows. Outlook and Exchange
 * use Windows names ("W. Europe Standard Time", also quoted in TZIDs); the Unicode CLDR mapping
 * (the windows-iana package) turns them into IANA ones. Null when the name means nothing.
 */
export function resolveTimeZone(name: string | null | undefined): string | null {
  const zone = name?.trim().replace(/^"|"$/g, '');
  if (!zone) {
    return null;
  }
  if (isKnownTimeZone(zone)) {
    return zone;
  }
  // The first IANA name of a Windows zone is CLDR's "territory 001" choice, the canonical one.
  const iana = findIana(zone).find((candidate) => isKnownTimeZone(candidate));
  return iana ?? null;
}

/**
 * A wall-clock `dateTime` without offset in `zoneName` → UTC instant. An unknown zone is read as
 * UTC (what Graph assumes without a time-zone preference) and reported, so callers can say so.
 */
export function localToUtc(
  local: string,
  zoneName: string | null | undefined,
): { instant: Date; zone: string | null } {
  const zone = resolveTimeZone(zoneName);
  return { instant: zonedToUtc(local, zone ?? 'UTC'), zone };
}
