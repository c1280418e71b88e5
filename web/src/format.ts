/** Dates and times in the viewer's time zone and locale (Intl), and durations in words. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayLabel = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const longDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });

export function formatDateTime(iso: string | null): string {
  return iso === null ? '' : dateTime.format(new Date(iso));
}

export function formatTime(iso: string | null): string {
  return iso === null ? '' : time.format(new Date(iso));
}

export function formatDay(d: Date): string {
  return dayLabel.format(d);
}

export function formatLongDay(d: Date): string {
  return longDay.format(d);
}

export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "about 3 min", "2 h 5 min": an ETA a person reads at a glance. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) {
    return `${String(Math.max(1, Math.round(seconds)))} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${String(minutes)} min`;
  }
  return `${String(Math.floor(minutes / 60))} h ${String(minutes % 60)} min`;
}
