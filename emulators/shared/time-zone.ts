import { findIana } from 'windows-iana';

/**
 * The emulators' own time-zone arithmetic. It is written apart from the product's calendar code on
 * purpose: if both shared one conversion, a DST mistake would sit on both sides of the wire and
 * every test would still agree with itself. This one reads the zone's UTC offset straight from
 * Intl (`timeZoneName: 'longOffset'`) and resolves local times the way RFC 5545 §3.3.5 says a
 * calendar must: a time skipped by a spring-forward gap is read with the offset in force before
 * the gap (so it lands after it), and a time that happens twice means the first occurrence.
 */

const SECOND = 1000;
const DAY = 86_400_000;

// Building a formatter costs far more than using one, and an emulator meets few zones.
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function offsetFormat(zone: string): Intl.DateTimeFormat {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, format);
  }
  return format;
}

/** True when the runtime's time-zone data knows this name. */
export function isKnownZone(zone: string): boolean {
  try {
    offsetFormat(zone);
    return true;
  } catch {
    return false;
  }
}

// Offsets change only on quarter-hour boundaries in every zone's modern rules, so one answer per
// zone and quarter hour is exact there; an emulator asks for the same few quarters again and again.
const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

/** The zone's offset from UTC at an instant, in milliseconds (east of Greenwich is positive). */
export function utcOffsetMs(instantMs: number, zone: string): number {
  const key = `${zone}|${Math.floor(instantMs / QUARTER_HOUR)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = readOffsetMs(instantMs, zone);
    offsets.set(key, offset);
  }
  return offset;
}

function readOffsetMs(instantMs: number, zone: string): number {
  const name = offsetFormat(zone)
    .formatToParts(instantMs)
    .find((part) => part.type === 'timeZoneName')?.value;
  // "GMT" alone is UTC itself; otherwise "GMT+05:30", and seconds for old local mean times.
  const m = /^GMT(?:([+-])(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(name ?? '');
  if (!m) {
    throw new RangeError(`no UTC offset for ${zone}: ${String(name)}`);
  }
  if (!m[1]) {
    return 0;
  }
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return (m[1] === '-' ? -seconds : seconds) * SECOND;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The wall-clock time of an instant in a zone, as `YYYY-MM-DDTHH:mm:ss`. */
export function wallClock(instant: Date, zone: string): string {
  return iso(instant.getTime() + utcOffsetMs(instant.getTime(), zone)).slice(0, 19);
}

/** RFC 3339 with the zone's offset at that instant (`2026-03-30T09:00:00+02:00`). */
export function offsetDateTime(instant: Date, zone: string): string {
  const offsetMinutes = Math.round(utcOffsetMs(instant.getTime(), zone) / 60_000);
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${wallClock(instant, zone)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `YYYY-MM-DDTHH:mm[:ss[.fff…]]`, no offset → the same digits read as UTC, in ms. */
function wallAsUtcMs(local: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(local);
  if (!m) {
    throw new RangeError(`not a local date-time: ${local}`);
  }
  const n = (i: number) => Number(m[i] ?? 0);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6));
}

/**
 * A wall-clock time in a zone → the UTC instant it names. The offsets a day either side are the
 * only candidates (zones do not change twice in two days); each is kept if the instant it gives
 * really shows that offset, and the earliest survivor wins. None survives inside a gap.
 */
export function zonedInstant(local: string, zone: string): Date {
  const wall = wallAsUtcMs(local);
  const before = utcOffsetMs(wall - DAY, zone);
  const after = utcOffsetMs(wall + DAY, zone);
  const valid = [before, after]
    .map((offset) => wall - offset)
    .filter((instant) => utcOffsetMs(instant, zone) === wall - instant)
    .sort((a, b) => a - b);
  return new Date(valid[0] ?? wall - before);
}

/**
 * A zone name as calendars write it → an IANA zone the runtime knows, or null. Outlook writes
 * Windows names ("W. Europe Standard Time", sometimes quoted); CLDR's table (windows-iana) maps
 * them, and its first entry is the zone CLDR names for the whole region.
 */
export function resolveZone(name: string | null | undefined): string | null {
  const zone = name?.trim().replace(/^"(.*)"$/, '$1');
  if (!zone) {
    return null;
  }
  if (isKnownZone(zone)) {
    return zone;
  }
  return findIana(zone).find(isKnownZone) ?? null;
}

/** Like `zonedInstant`, but an unknown zone name is read as UTC, as Graph does. */
export function localToUtc(local: string, zoneName: string | null | undefined): Date {
  return zonedInstant(local, resolveZone(zoneName) ?? 'UTC');
}
