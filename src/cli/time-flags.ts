import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';

const dateTime = z.iso.datetime({ offset: true });
const plainDate = z.iso.date();

const DAY_MS = 86_400_000;

/**
 * A window bound given on the command line: an ISO 8601 date-time with its offset, or a plain
 * date (`2026-12-01`), read in UTC as every time Mailroom prints is. A plain date covers its whole
 * day, so as a window's start it is that day's midnight and as its end the next day's:
 * `--from 2026-12-01 --to 2026-12-01` is all of 1 December.
 */
export function parseWindowBound(flag: string, value: string, edge: 'start' | 'end'): Date {
  const text = value.trim();
  if (plainDate.safeParse(text).success) {
    const midnight = Date.parse(`${text}T00:00:00Z`);
    return new Date(edge === 'start' ? midnight : midnight + DAY_MS);
  }
  if (dateTime.safeParse(text).success) {
    return new Date(text);
  }
  throw new InvalidInputError(
    `--${flag}: must be a date (2026-12-01) or an ISO 8601 date-time with offset (2026-12-01T09:00:00Z)`,
  );
}
