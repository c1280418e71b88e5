import { describe, expect, it } from 'vitest';
import { resolveTimeZone } from '../../src/calendar/resolve-time-zone.ts';

/** Zone names as providers write them (IANA, Windows, quoted) to the IANA zone, or null. */
describe('resolveTimeZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['"Pacific Standard Time"', 'America/Los_Angeles'],
    ['Eastern Standard Time', 'America/New_York'],
    ['UTC', 'UTC'],
    ['Not A Zone', null],
    ['', null],
  ])('%s → %s', (name, zone) => {
    expect(resolveTimeZone(name)).toBe(zone);
  });
});
