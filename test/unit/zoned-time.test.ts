import { describe, expect, it } from 'vitest';
import { zonedToUtc } from '../../src/calendar/zoned-time.ts';

/**
 * Wall time in an IANA zone to a UTC instant. Every expected instant is a literal worked out from
 * the zone's rules (EU: last Sunday of March and October; US: second Sunday of March, first of
 * November), never computed with product code.
 */
describe('zonedToUtc', () => {
  it.each([
    // The day before the spring-forward night: CET, UTC+1.
    ['2026-03-28T10:00:00', 'Europe/Berlin', '2026-03-28T09:00:00.000Z'],
    // The morning after the spring-forward night: CEST, UTC+2.
    ['2026-03-29T10:00:00', 'Europe/Berlin', '2026-03-29T08:00:00.000Z'],
    // In the gap (02:30 does not exist): shifted forward, as calendar apps do.
    ['2026-03-29T02:30:00', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
    // 01:30 happens twice on the fall-back night: the first one, EDT (UTC-4), is taken.
    ['2026-11-01T01:30:00', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['2026-01-10T14:00:00.0000000', 'UTC', '2026-01-10T14:00:00.000Z'],
    // No DST, a half-hour offset: UTC+5:30.
    ['2026-07-01T09:00:00', 'Asia/Kolkata', '2026-07-01T03:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, utc) => {
    expect(zonedToUtc(local, zone).toISOString()).toBe(utc);
  });
});
