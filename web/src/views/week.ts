/** Week arithmetic in the viewer's time zone: weeks start on Monday at local midnight. */
export function startOfWeek(d: Date): Date {
  const day = (d.getDay() + 6) % 7; // Monday = 0
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - day);
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

/** The local calendar date as YYYY-MM-DD (what all-day events' dates are). */
export function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A YYYY-MM-DD in the URL, as the local midnight it names; null when it is not one. */
export function parseLocalDate(s: string | null): Date | null {
  const m = s === null ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) {
    return null;
  }
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function weekDays(start: Date): Date[] {
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}
