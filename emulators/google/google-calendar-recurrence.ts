import ICAL from 'ical.js';
import { wallClock, zonedInstant } from '../shared/time-zone.ts';

/**
 * Expands a Google Calendar series (RRULE/EXDATE lines, a start in a time zone) into occurrences
 * the way Calendar does: the wall-clock time stays fixed in the series' zone, so across a DST
 * change the UTC instant moves. Rules come from ical.js; unbounded rules are cut at `until`
 * and `max`.
 */
export interface Occurrence {
  /** UTC instant of the occurrence's start (midnight UTC for all-day series). */
  start: Date;
  /** For all-day series: yyyy-mm-dd. */
  date: string | null;
}

function exdates(lines: readonly string[], zone: string): Set<number> {
  const out = new Set<number>();
  for (const line of lines) {
    const m = /^EXDATE(?:;([^:]*))?:(.*)$/i.exec(line.trim());
    if (!m) {
      continue;
    }
    const tzid = /TZID=([^;]+)/i.exec(m[1] ?? '')?.[1] ?? zone;
    for (const value of (m[2] ?? '').split(',')) {
      const v = value.trim();
      const d = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(v);
      if (!d) {
        continue;
      }
      const local = `${d[1]}-${d[2]}-${d[3]}T${d[4] ?? '00'}:${d[5] ?? '00'}:${d[6] ?? '00'}`;
      out.add(d[7] || !d[4] ? Date.parse(`${local}Z`) : zonedInstant(local, tzid).getTime());
    }
  }
  return out;
}

export function expandSeries(
  recurrence: readonly string[],
  start: { dateTime?: string | null; date?: string | null; timeZone?: string | null },
  options: { until: Date; max: number },
): Occurrence[] {
  const rule = recurrence.find((l) => /^RRULE:/i.test(l.trim()));
  if (!rule) {
    return [];
  }
  const recur = ICAL.Recur.fromString(rule.trim().slice('RRULE:'.length));
  const zone = start.timeZone ?? 'UTC';
  const allDay = Boolean(start.date);
  const first = allDay
    ? ICAL.Time.fromDateString(start.date ?? '')
    : ICAL.Time.fromDateTimeString(
        /(?:Z|[+-]\d{2}:\d{2})$/.test(start.dateTime ?? '')
          ? wallClock(new Date(start.dateTime ?? ''), zone)
          : (start.dateTime ?? '').slice(0, 19),
      );
  const skip = exdates(recurrence, zone);
  const iterator = recur.iterator(first);
  const out: Occurrence[] = [];
  // ical.js types next() as always returning a time; it returns null when a bounded rule ends.
  for (
    let next = iterator.next() as ICAL.Time | null;
    next && out.length < options.max;
    next = iterator.next() as ICAL.Time | null
  ) {
    const local = next.toString();
    const instant = allDay
      ? new Date(`${local.slice(0, 10)}T00:00:00Z`)
      : zonedInstant(local, zone);
    if (instant > options.until) {
      break;
    }
    if (!skip.has(instant.getTime())) {
      out.push({ start: instant, date: allDay ? local.slice(0, 10) : null });
    }
  }
  return out;
}

/** Google's instance id: the master's id and the occurrence's original start in UTC. */
export function instanceId(masterId: string, occurrence: Occurrence): string {
  if (occurrence.date) {
    return `${masterId}_${occurrence.date.replaceAll('-', '')}`;
  }
  const iso = occurrence.start.toISOString();
  return `${masterId}_${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
}
