import { expect } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectViaCli, json, runCli } from '../helpers/run-cli.ts';

it('mailbox:connect queues the first sync; sync runs it; a revoked grant fails with one line', async ({
  gmail: h,
}) => {
  const email = 'cli.rep@northwind.com';
  h.emulator.store.user(email);
  for (let i = 0; i < 5; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({ from: `C${i} <c${i}@cust.com>`, to: [email], messageId: `<cli${i}@x>` }),
    );
  }
  h.emulator.calendars.upsertEvent(email, 'primary', {
    summary: 'Kick-off',
    start: { dateTime: '2026-09-01T10:00:00-04:00' },
    end: { dateTime: '2026-09-01T11:00:00-04:00' },
    organizer: { email: 'c0@cust.com', displayName: 'C0' },
    attendees: [{ email, responseStatus: 'accepted' }, { email: 'new.face@cust.com' }],
  });
  const refreshToken = h.emulator.auth.issueRefreshToken(email);
  const { ws, mb } = await connectViaCli(
    h.env,
    { name: 'CLI', domain: 'northwind.com' },
    { email, refreshToken },
  );
  const summary = json<{
    status: string;
    stage: string;
    fetched: number;
    counters: { peopleCreated: number };
    calendar: { calendars: number; eventsStored: number; peopleCreated: number };
  }>(await runCli(['sync', '--mailbox', mb], h.env));
  // Mail and calendar run as two jobs; whichever writes first creates c0@cust.com.
  expect(summary).toMatchObject({
    status: 'active',
    stage: 'incremental',
    fetched: 5,
    calendar: { calendars: 1, eventsStored: 1 },
  });
  expect(summary.counters.peopleCreated + summary.calendar.peopleCreated).toBe(6);
  const exported = json<{ events: { title: string; startsAt: string; attendees: unknown[] }[] }>(
    await runCli(['export', '--workspace', ws], h.env),
  );
  expect(exported.events).toMatchObject([
    { title: 'Kick-off', startsAt: '2026-09-01T14:00:00.000Z' },
  ]);
  const calendar = json<{ events: { title: string; people: { email: string }[] }[] }>(
    await runCli(
      [
        'calendar',
        '--workspace',
        ws,
        '--from',
        '2026-09-01T00:00:00Z',
        '--to',
        '2026-09-02T00:00:00Z',
      ],
      h.env,
    ),
  );
  expect(calendar.events.map((e) => [e.title, e.people.map((p) => p.email)])).toEqual([
    ['Kick-off', ['c0@cust.com', 'new.face@cust.com']],
  ]);
  const status = json<{
    status: string;
    backfill: { done: number; total: number };
    counts: { emails: number };
    calendars: { calendarId: string; stage: string; events: number }[];
  }>(await runCli(['mailbox:status', '--mailbox', mb], h.env));
  expect(status).toMatchObject({
    status: 'active',
    backfill: { done: 5, total: 5 },
    counts: { emails: 5 },
    calendars: [{ calendarId: 'primary', stage: 'incremental', events: 1 }],
  });

  h.emulator.auth.revokeUser(email);
  const failed = await runCli(['sync', '--mailbox', mb], h.env);
  expect(failed.code).not.toBe(0);
  expect(failed.stdout).toBe('');
  expect(failed.stderr.trim().split('\n')).toHaveLength(1);
  expect(failed.stderr).toMatch(/cli.rep@northwind.com needs to be reconnected/);
  const after = json<{ status: string }>(await runCli(['mailbox:status', '--mailbox', mb], h.env));
  expect(after.status).toBe('reauth_required');
});
