/**
 * The calendar: one week (Monday first) as 7 columns with all-day events in their own row, or the
 * same week as an agenda list. Times are in the viewer's time zone; cancelled meetings stay,
 * struck through and labelled.
 */
import { api, unwrap } from '../api/client.ts';
import type { Meeting } from '../api/types.ts';
import { formatDay, formatLongDay, formatTime, timeZoneName } from '../format.ts';
import { Link, withQuery } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { addDays, localDate, parseLocalDate, startOfWeek, weekDays } from './week.ts';

function onDay(m: Meeting, day: Date): boolean {
  if (m.allDay) {
    const d = localDate(day);
    const start = m.startDate ?? '';
    // All-day end dates are exclusive (iCalendar); a missing or equal end means one day.
    const end = m.endDate !== null && m.endDate > start ? m.endDate : null;
    return end === null ? d === start : d >= start && d < end;
  }
  if (m.startsAt === null) {
    return false;
  }
  const start = new Date(m.startsAt).getTime();
  const end = m.endsAt === null ? start : new Date(m.endsAt).getTime();
  const dayStart = day.getTime();
  const dayEnd = addDays(day, 1).getTime();
  return start < dayEnd && (end > dayStart || start >= dayStart);
}

function byStart(a: Meeting, b: Meeting): number {
  return (a.startsAt ?? '').localeCompare(b.startsAt ?? '');
}

export function Calendar({ query }: { query: URLSearchParams }) {
  const week = startOfWeek(parseLocalDate(query.get('week')) ?? new Date());
  const view = query.get('view') === 'agenda' ? 'agenda' : 'week';
  const personId = query.get('personId') ?? undefined;
  const from = week.toISOString();
  const to = addDays(week, 7).toISOString();
  const meetings = useLoad(
    async () =>
      unwrap(await api.GET('/api/v1/calendar', { params: { query: { from, to, personId } } }))
        .items,
    [from, to, personId],
  );
  const link = (change: Record<string, string | undefined>) =>
    withQuery('/calendar', { week: localDate(week), view, personId, ...change });
  const days = weekDays(week);
  const items = (meetings.data ?? []).slice().sort(byStart);
  return (
    <section aria-labelledby="calendar-title">
      <h1 id="calendar-title">Calendar</h1>
      <nav class="toolbar" aria-label="Calendar">
        <Link to={link({ week: localDate(addDays(week, -7)) })}>← Previous week</Link>
        <Link to={link({ week: localDate(startOfWeek(new Date())) })}>This week</Link>
        <Link to={link({ week: localDate(addDays(week, 7)) })}>Next week →</Link>
        <Link to={link({ view: 'week' })} aria-current={view === 'week' ? 'page' : undefined}>
          Week
        </Link>
        <Link to={link({ view: 'agenda' })} aria-current={view === 'agenda' ? 'page' : undefined}>
          Agenda
        </Link>
      </nav>
      <p class="hint">
        Week of {formatLongDay(week)} · times in {timeZoneName()}
        {personId !== undefined && (
          <>
            {' · '}
            <Link to={link({ personId: undefined })}>Show everyone’s meetings</Link>
          </>
        )}
      </p>
      {meetings.error !== null && (
        <p class="error" role="alert">
          {meetings.error}
        </p>
      )}
      {meetings.loading && meetings.data === undefined && <p>Loading…</p>}
      {view === 'week' ? <Week days={days} items={items} /> : <Agenda days={days} items={items} />}
    </section>
  );
}

function Week({ days, items }: { days: Date[]; items: Meeting[] }) {
  const today = localDate(new Date());
  return (
    <div class="week-scroll">
      <table class="week">
        <caption class="visually-hidden">Meetings of the week, one column per day</caption>
        <thead>
          <tr>
            <th scope="col" class="visually-hidden">
              Row
            </th>
            {days.map((d) => (
              <th
                key={d.getTime()}
                scope="col"
                class={localDate(d) === today ? 'today' : undefined}
              >
                {formatDay(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr class="all-day">
            <th scope="row">All day</th>
            {days.map((d) => (
              <td key={d.getTime()}>
                <MeetingList items={items.filter((m) => m.allDay && onDay(m, d))} compact />
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Meetings</th>
            {days.map((d) => (
              <td key={d.getTime()}>
                <MeetingList items={items.filter((m) => !m.allDay && onDay(m, d))} compact />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function Agenda({ days, items }: { days: Date[]; items: Meeting[] }) {
  const withMeetings = days
    .map((d) => ({
      day: d,
      meetings: [
        ...items.filter((m) => m.allDay && onDay(m, d)),
        ...items.filter((m) => !m.allDay && onDay(m, d)),
      ],
    }))
    .filter((d) => d.meetings.length > 0);
  if (withMeetings.length === 0) {
    return <p>No meetings this week.</p>;
  }
  return (
    <div class="agenda">
      {withMeetings.map(({ day, meetings }) => (
        <section key={day.getTime()} aria-label={formatLongDay(day)}>
          <h2>{formatLongDay(day)}</h2>
          <MeetingList items={meetings} compact={false} />
        </section>
      ))}
    </div>
  );
}

function MeetingList({ items, compact }: { items: Meeting[]; compact: boolean }) {
  if (items.length === 0) {
    return null;
  }
  return (
    <ul class="meetings">
      {items.map((m) => (
        <MeetingItem key={m.id} meeting={m} compact={compact} />
      ))}
    </ul>
  );
}

function MeetingItem({ meeting: m, compact }: { meeting: Meeting; compact: boolean }) {
  const cancelled = m.status === 'cancelled';
  const when = m.allDay ? 'All day' : `${formatTime(m.startsAt)}–${formatTime(m.endsAt)}`;
  return (
    <li class={cancelled ? 'meeting cancelled-meeting' : 'meeting'}>
      {!(compact && m.allDay) && (
        <>
          <span class="when">{when}</span>{' '}
        </>
      )}
      <span class={cancelled ? 'title cancelled' : 'title'}>{m.title || '(no title)'}</span>
      {cancelled && <span class="tag">Cancelled</span>}
      {m.status === 'tentative' && <span class="tag">Tentative</span>}
      {m.kind === 'instance' && <span class="tag">Recurring</span>}
      {!compact && (
        <div class="hint">
          {m.location !== '' && <div>{m.location}</div>}
          {m.attendees.length > 0 && (
            <div>
              With{' '}
              {m.attendees.map((a, i) => (
                <span key={a.email}>
                  {i > 0 && ', '}
                  {a.personId !== null ? (
                    <Link to={`/people/${a.personId}`}>{a.displayName || a.email}</Link>
                  ) : (
                    a.displayName || a.email
                  )}
                </span>
              ))}
            </div>
          )}
        </div>
      )}
    </li>
  );
}
