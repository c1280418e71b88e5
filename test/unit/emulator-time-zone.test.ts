import { describe, expect, it } from 'vitest';
import {
  localToUtc,
  offsetDateTime,
  resolveZone,
  wallClock,
  zonedInstant,
} from '../../emulators/shared/time-zone.ts';

// Expected instants are written out by hand (from the tz database's published transitions), not
// computed, so the emulators' zone code is checked against fixed facts rather than against the
// product's own conversion.
describe('emulator zonedInstant', () => {
  it.each([
    ['2026-03-28T10:00:00', 'Europe/Berlin', '2026-03-28T09:00:00.000Z'],
    ['2026-03-29T10:00:00', 'Europe/Berlin', '2026-03-29T08:00:00.000Z'],
    // Spring-forward gaps: read with the offset before the gap, so the time lands after it.
    ['2026-03-29T02:30:00', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    ['2026-03-08T02:30:00', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    // Fall-back overlaps: the first of the two occurrences, east and west of Greenwich alike.
    ['2026-10-25T02:30:00', 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    ['2026-11-01T01:30:00', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['2026-07-01T09:00:00', 'Asia/Kolkata', '2026-07-01T03:30:00.000Z'],
    ['2026-01-10T14:00:00.0000000', 'UTC', '2026-01-10T14:00:00.000Z'],
    ['2026-01-15T09:00:00', 'Australia/Sydney', '2026-01-14T22:00:00.000Z'],
  ])('%s in %s is %s', (local, zone, utc) => {
    expect(zonedInstant(local, zone).toISOString()).toBe(utc);
  });
});

describe('emulator wallClock and offsetDateTime', () => {
  it.each([
    ['2026-03-29T00:59:59Z', 'Europe/Berlin', '2026-03-29T01:59:59+01:00'],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', '2026-03-29T03:00:00+02:00'],
    ['2026-11-01T06:00:00Z', 'America/New_York', '2026-11-01T01:00:00-05:00'],
    ['2026-07-01T00:00:00Z', 'America/Los_Angeles', '2026-06-30T17:00:00-07:00'],
    ['2026-07-01T00:00:00Z', 'Asia/Kathmandu', '2026-07-01T05:45:00+05:45'],
    ['2026-07-01T12:00:00Z', 'UTC', '2026-07-01T12:00:00+00:00'],
  ])('%s in %s reads %s', (instant, zone, expected) => {
    expect(offsetDateTime(new Date(instant), zone)).toBe(expected);
    expect(wallClock(new Date(instant), zone)).toBe(expected.slice(0, 19));
  });
});

describe('emulator resolveZone', () => {
  it('keeps IANA names, maps Windows names (quoted or not) and refuses unknown ones', () => {
    expect(resolveZone('Europe/Paris')).toBe('Europe/Paris');
    expect(resolveZone('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(resolveZone('"Pacific Standard Time"')).toBe('America/Los_Angeles');
    expect(resolveZone('Not A Zone')).toBeNull();
    expect(resolveZone('')).toBeNull();
    expect(resolveZone(undefined)).toBeNull();
  });

  it('reads a local time in an unknown zone as UTC, as Graph does', () => {
    expect(localToUtc('2026-07-01T09:00:00.0000000', 'Not A Zone').toISOString()).toBe(
      '2026-07-01T09:00:00.000Z',
    );
    expect(localToUtc('2026-07-01T09:00:00.0000000', 'Eastern Standard Time').toISOString()).toBe(
      '2026-07-01T13:00:00.000Z',
    );
  });
});
