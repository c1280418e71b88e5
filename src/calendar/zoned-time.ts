/**
 * Local wall-clock time in an IANA zone → UTC instant, with the runtime's time-zone data (Intl).
 * Used for TZIDs a calendar names but does not define, and for Graph's `dateTime` + `timeZone`
 * pairs. Across a DST gap the wall time is shifted forward, as calendar apps do.
 */
export function isKnownTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(zone, known);
  }
  return known;
}

// Asked once per event time; building a formatter to find out costs far more than a lookup.
const knownZones = new Map<string, boolean>();

function offsetMinutes(zone: string, at: number): number {
  return Math.round((Date.parse(`${wallTime(new Date(at), zone)}Z`) - at) / 60_000);
}

/** `local` is `YYYY-MM-DDTHH:mm[:ss[.fff…]]` without an offset. */
export function zonedToUtc(local: string, zone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(local);
  if (!m) {
    throw new RangeError(`not a local date-time: ${local}`);
  }
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  // Two passes settle the offset, also next to a transition.
  let guess = wall - offsetMinutes(zone, wall) * 60_000;
  guess = wall - offsetMinutes(zone, guess) * 60_000;
  return new Date(guess);
}

// Building a formatter costs far more than using one; zones are few, so each is built once.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time of an instant in an IANA zone, as `YYYY-MM-DDTHH:mm:ss`. */
export function wallTime(instant: Date, zone: string): string {
  const parts = formatter(zone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}
