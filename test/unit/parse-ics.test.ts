import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IcsError, parseIcs } from '../../src/calendar/parse-ics.ts';

const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/ics/', import.meta.url));

const ics = (...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join(
    '\r\n',
  );

describe('parseIcs', () => {
  it('reads Windows zone names (Exchange) and repairs a quote that swallowed the value', async () => {
    const cal = parseIcs(await readFile(`${CORPUS}nodeical__ms_timezones.ics`, 'utf8'));
    const byTitle = new Map(cal.events.map((e) => [e.summary, e]));
    // 09:00 W. Europe Standard Time in September and in June 2020 is CEST (UTC+2).
    expect(byTitle.get('test')?.startsAt).toBe('2020-09-10T07:00:00.000Z');
    expect(byTitle.get("Log Yesterday's Jira time")?.startsAt).toBe('2020-06-09T07:00:00.000Z');
  });

  it('keeps events without DTSTART (replies, cancellations) instead of rejecting the file', () => {
    const cal = parseIcs(
      ics(
        'METHOD:CANCEL',
        'BEGIN:VEVENT',
        'UID:abc@example.com',
        'DTSTAMP:20260101T000000Z',
        'ORGANIZER:mailto:b@example.com',
        'SEQUENCE:3',
        'END:VEVENT',
      ),
    );
    expect(cal.events[0]).toMatchObject({
      uid: 'abc@example.com',
      status: 'cancelled',
      startsAt: null,
    });
  });

  it('resolves a TZID the file does not define, across the DST boundary', () => {
    const cal = parseIcs(
      ics(
        'METHOD:REQUEST',
        'BEGIN:VEVENT',
        'UID:dst@test',
        'DTSTAMP:20260301T000000Z',
        'DTSTART;TZID=Europe/Berlin:20260329T100000',
        'DTEND;TZID=Europe/Berlin:20260329T110000',
        'SUMMARY:After the switch',
        'ORGANIZER;CN=Dana:mailto:Dana@NorthwindTraders.com',
        'ATTENDEE;CN=Buyer;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:buyer@client.com',
        'END:VEVENT',
      ),
    );
    expect(cal.method).toBe('REQUEST');
    expect(cal.events[0]).toMatchObject({
      uid: 'dst@test',
      startsAt: '2026-03-29T08:00:00.000Z',
      endsAt: '2026-03-29T09:00:00.000Z',
      allDay: false,
      status: 'confirmed',
      organizer: 'dana@northwindtraders.com',
      attendees: [
        { email: 'buyer@client.com', name: 'Buyer', partstat: 'ACCEPTED', role: 'REQ-PARTICIPANT' },
      ],
    });
  });

  it('keeps all-day events as dates and cancellations as cancelled', () => {
    const cal = parseIcs(
      ics(
        'METHOD:CANCEL',
        'BEGIN:VEVENT',
        'UID:allday@test',
        'DTSTAMP:20260301T000000Z',
        'DTSTART;VALUE=DATE:20260410',
        'DTEND;VALUE=DATE:20260411',
        'SEQUENCE:2',
        'SUMMARY:Offsite',
        'END:VEVENT',
      ),
    );
    expect(cal.events[0]).toMatchObject({
      allDay: true,
      startDate: '2026-04-10',
      endDate: '2026-04-11',
      startsAt: null,
      status: 'cancelled',
      sequence: 2,
    });
  });

  it('rejects what is not iCalendar with a reason', () => {
    expect(() => parseIcs('hello')).toThrow(IcsError);
  });

  it('parses every .ics of the shared corpus, or rejects it with a reason, never crashing', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.ics')).sort();
    expect(files.length).toBeGreaterThan(40);
    const rejected: string[] = [];
    for (const file of files) {
      const text = await readFile(`${CORPUS}${file}`, 'utf8');
      try {
        const cal = parseIcs(text);
        for (const e of cal.events) {
          if (e.startsAt) {
            expect(Number.isNaN(Date.parse(e.startsAt))).toBe(false);
          }
        }
      } catch (err) {
        expect(err, file).toBeInstanceOf(IcsError);
        rejected.push(file);
      }
    }
    // Only files that are broken beyond repair (no VCALENDAR, a stray line, a corrupt RRULE).
    expect(rejected).toEqual([
      'ical4j__invalid_overlaps.ics',
      'pyicalendar__calendars_issue_104_broken_calendar.ics',
      'pyicalendar__calendars_issue_350.ics',
    ]);
  });
});
