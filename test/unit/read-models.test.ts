import { describe, expect, it } from 'vitest';
import { withEta } from '../../src/mailboxes/backfill-eta.ts';
import { calendarEventSchema } from '../../src/read-models/calendar.schema.ts';
import { exportEmailSchema } from '../../src/read-models/export.schema.ts';
import { mailboxStatusSchema } from '../../src/read-models/mailbox-status.schema.ts';

describe('backfill ETA', () => {
  const startedAt = '2026-12-01T00:00:00.000Z';
  const start = Date.parse(startedAt);

  it('shows nothing done for a mailbox that never synced', () => {
    expect(withEta(undefined)).toStrictEqual({ done: 0, total: null, etaSeconds: null });
  });

  it('estimates the rest at the rate so far', () => {
    const running = { done: 10, total: 100, startedAt, finishedAt: null };
    expect(withEta(running, start + 10_000)).toStrictEqual({ ...running, etaSeconds: 90 });
  });

  it('is 0 once the backfill finished', () => {
    const done = { done: 5, total: 5, startedAt, finishedAt: startedAt };
    expect(withEta(done, start).etaSeconds).toBe(0);
  });

  it('keeps the stored keys in their order, the ETA last', () => {
    const stored = { done: 1, total: 2, resyncs: 1, startedAt, finishedAt: null };
    expect(Object.keys(withEta(stored, start + 1000))).toEqual([
      'done',
      'total',
      'resyncs',
      'startedAt',
      'finishedAt',
      'etaSeconds',
    ]);
  });
});

describe('read-model schemas', () => {
  it('parse keys into the order the CLI prints them', () => {
    const email = {
      deleted: false,
      invitation: null,
      participants: [
        { companyDomain: null, personEmail: 'a@x.com', role: 'from', email: 'a@x.com' },
      ],
      crmSkipReason: null,
      labels: ['INBOX'],
      threadKey: 't',
      sentAt: '2026-01-01T00:00:00.000Z',
      subject: 'Hi',
      cc: [],
      to: ['b@y.com'],
      from: 'a@x.com',
      direction: 'inbound',
      internetMessageId: '<m@x.com>',
      providerMessageId: 'p1',
      mailboxEmail: 'b@y.com',
      id: '0b8e4f6a-5d0c-4a39-9f1e-2f6a3b1c7d11',
    };
    const parsed = exportEmailSchema.parse(email);
    expect(Object.keys(parsed)).toEqual(Object.keys(email).reverse());
    expect(Object.keys(parsed.participants[0] ?? {})).toEqual([
      'email',
      'role',
      'personEmail',
      'companyDomain',
    ]);
  });

  it('reject a calendar entry whose times are not ISO instants', () => {
    const entry = {
      id: '0b8e4f6a-5d0c-4a39-9f1e-2f6a3b1c7d11',
      mailboxEmail: 'a@x.com',
      calendarId: 'primary',
      providerEventId: 'e1',
      iCalUid: null,
      title: 'Sync',
      startsAt: '2026-01-01 10:00',
      endsAt: '2026-01-01T11:00:00.000Z',
      allDay: false,
      startDate: null,
      endDate: null,
      timeZone: null,
      status: 'confirmed',
      organizer: null,
      kind: 'single',
      recurringEventId: null,
      originalStart: null,
      location: '',
      conferenceUrl: null,
      attendees: [],
      invitations: [],
      mailboxes: ['a@x.com'],
      people: [],
    };
    expect(calendarEventSchema.safeParse(entry).success).toBe(false);
    expect(
      calendarEventSchema.safeParse({ ...entry, startsAt: '2026-01-01T10:00:00.000Z' }).success,
    ).toBe(true);
  });

  it('accept the status of a mailbox that never synced', () => {
    const status = {
      id: '0b8e4f6a-5d0c-4a39-9f1e-2f6a3b1c7d11',
      workspaceId: '6c2f0d1e-8a3b-4c5d-9e6f-7a8b9c0d1e2f',
      email: 'rep@x.com',
      provider: 'google',
      status: 'active',
      stale: false,
      syncAliveUntil: null,
      stages: {},
      cursors: {},
      backfill: withEta(undefined),
      calendars: [],
      lastError: null,
      lastSyncedAt: null,
      counts: {
        emails: 0,
        deleted: 0,
        loggedToCrm: 0,
        skippedMessages: {},
        skippedParticipants: {},
        failedMessages: { retrying: 0, permanent: 0, reasons: {} },
      },
    };
    expect(mailboxStatusSchema.parse(status)).toStrictEqual(status);
  });
});
