import type { GmailEmulator } from '../emulators/google/gmail-emulator.ts';
import type { GraphEmulator } from '../emulators/microsoft/graph-emulator.ts';

/**
 * The demo's meetings, dated around today so they sit inside Outlook's calendarView window
 * whenever the demo runs. Dana's Google calendar and Li's Outlook calendar share a meeting (one
 * logical meeting, one activity per person), and they meet the customers of the fixture mailbox,
 * so meetings land on the same timelines as mail. Dana's calendar has a weekly series in her own
 * zone (across whatever DST change falls in it), an all-day trade fair, a demo the customer cancels
 * after the first sync and a
 * no-reply webinar (which creates nobody); Li's has Windows zone names, as Outlook writes them.
 * Ids are fixed, so a re-run against fresh emulators lists the same events, not new ones.
 */
const DAY = 86_400_000;

function day(today: Date, offset: number): string {
  return new Date(today.getTime() + offset * DAY).toISOString().slice(0, 10);
}

export function seedDemoCalendars(
  gmail: GmailEmulator,
  graph: GraphEmulator,
  people: { dana: string; li: string },
  now = new Date(),
): { google: number; outlook: number; cancelAfterFirstSync: () => void } {
  const today = new Date(Math.floor(now.getTime() / DAY) * DAY);
  const { dana, li } = people;
  const g = (event: Record<string, unknown>) => gmail.calendars.upsertEvent(dana, 'primary', event);

  const shared = 'qbr-bluepeak-2026@northwindtraders.com';
  g({
    id: 'qbrbluepeak',
    iCalUID: shared,
    summary: 'Quarterly business review: BluePeak Logistics',
    start: { dateTime: `${day(today, 3)}T15:00:00`, timeZone: 'Europe/London' },
    end: { dateTime: `${day(today, 3)}T16:00:00`, timeZone: 'Europe/London' },
    organizer: { email: dana, displayName: 'Dana Whitfield' },
    attendees: [
      { email: dana, responseStatus: 'accepted', organizer: true },
      { email: li, responseStatus: 'accepted' },
      {
        email: 'priya.raman@bluepeak-logistics.com',
        displayName: 'Priya Raman',
        responseStatus: 'accepted',
      },
      {
        email: 'ops@bluepeak-logistics.com',
        displayName: 'BluePeak Ops',
        responseStatus: 'tentative',
      },
    ],
    conferenceData: {
      entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/qbr-blue-peak' }],
    },
  });
  g({
    id: 'kestrelpilot',
    summary: 'Kestrel Bio: pilot check-in',
    start: { dateTime: `${day(today, -20)}T10:00:00`, timeZone: 'Europe/Berlin' },
    end: { dateTime: `${day(today, -20)}T10:30:00`, timeZone: 'Europe/Berlin' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=8'],
    organizer: { email: 'juergen.mueller@kestrelbio.de', displayName: 'Jürgen Müller' },
    attendees: [
      { email: dana, responseStatus: 'accepted' },
      {
        email: 'juergen.mueller@kestrelbio.de',
        displayName: 'Jürgen Müller',
        responseStatus: 'accepted',
      },
      {
        email: 'lab-room-2@resource.calendar.google.com',
        resource: true,
        responseStatus: 'accepted',
      },
    ],
  });
  g({
    id: 'logimatfair',
    summary: 'LogiMAT trade fair',
    start: { date: day(today, 30) },
    end: { date: day(today, 33) },
    organizer: { email: dana, displayName: 'Dana Whitfield' },
    attendees: [
      { email: dana, responseStatus: 'accepted' },
      { email: 'ravi.patel@orbitalfoods.com.au', displayName: 'Ravi Patel' },
    ],
  });
  const cancelled = g({
    id: 'harborviewdemo',
    summary: 'Harborview demo',
    start: { dateTime: `${day(today, 5)}T14:00:00Z` },
    end: { dateTime: `${day(today, 5)}T14:45:00Z` },
    organizer: { email: dana, displayName: 'Dana Whitfield' },
    attendees: [
      { email: dana, responseStatus: 'accepted' },
      { email: 't.ashworth@mail.harborview.co.uk', displayName: 'Tom Ashworth' },
    ],
  });
  g({
    id: 'telematicswebinar',
    summary: 'Webinar: telematics in 2027',
    start: { dateTime: `${day(today, 9)}T16:00:00Z` },
    end: { dateTime: `${day(today, 9)}T17:00:00Z` },
    organizer: { email: 'no-reply@telematicsforum.net', displayName: 'Telematics Forum' },
    attendees: [{ email: dana, responseStatus: 'needsAction' }],
  });

  const person = (address: string, name: string, response = 'none', type = 'required') => ({
    type,
    status: { response, time: '0001-01-01T00:00:00Z' },
    emailAddress: { name, address },
  });
  const o = (event: Record<string, unknown>) => graph.calendars.upsertEvent(li, event);
  o({
    id: 'AAMkADdemo-qbr-bluepeak',
    iCalUId: shared,
    subject: 'Quarterly business review: BluePeak Logistics',
    start: { dateTime: `${day(today, 3)}T15:00:00.0000000`, timeZone: 'GMT Standard Time' },
    end: { dateTime: `${day(today, 3)}T16:00:00.0000000`, timeZone: 'GMT Standard Time' },
    isOrganizer: false,
    organizer: { emailAddress: { name: 'Dana Whitfield', address: dana } },
    attendees: [
      person(li, 'Li Chen', 'accepted'),
      person('priya.raman@bluepeak-logistics.com', 'Priya Raman', 'accepted'),
      person('ops@bluepeak-logistics.com', 'BluePeak Ops', 'tentativelyAccepted'),
    ],
  });
  o({
    id: 'AAMkADdemo-nordic-renewal',
    subject: 'Nordic Travel Group: renewal',
    start: { dateTime: `${day(today, 7)}T09:00:00.0000000`, timeZone: 'W. Europe Standard Time' },
    end: { dateTime: `${day(today, 7)}T10:00:00.0000000`, timeZone: 'W. Europe Standard Time' },
    organizer: { emailAddress: { name: 'Li Chen', address: li } },
    attendees: [
      person('sara.lindqvist@nordictravelgroup.se', 'Sara Lindqvist', 'accepted'),
      person('finance@nordictravelgroup.se', 'Lindqvist, Erik'),
      person('boardroom@northwindtraders.com', 'Boardroom', 'accepted', 'resource'),
    ],
    isOnlineMeeting: true,
    onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/nordic-renewal' },
  });
  o({
    id: 'AAMkADdemo-veridian-review',
    subject: 'Veridian Health: security review',
    start: { dateTime: `${day(today, -10)}T13:00:00.0000000`, timeZone: 'Eastern Standard Time' },
    end: { dateTime: `${day(today, -10)}T14:00:00.0000000`, timeZone: 'Eastern Standard Time' },
    organizer: { emailAddress: { name: 'Amit Shah', address: 'amit.shah@veridian-health.io' } },
    attendees: [person(li, 'Li Chen', 'accepted')],
  });
  return {
    google: 5,
    outlook: 3,
    // Tom cancels after the first sync: the next sync logs MEETING_CANCELLED on his timeline.
    cancelAfterFirstSync: () => gmail.calendars.deleteEvent(dana, 'primary', String(cancelled.id)),
  };
}
