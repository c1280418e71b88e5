import { describe, expect, it } from 'vitest';
import { AGGREGATE_OF, checkEvent, dedupeKey, EVENT_TYPES } from '../../src/events/catalog.ts';

describe('event catalog', () => {
  it('lists every event type product.md names, each with its aggregate', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      [
        'person.created',
        'company.created',
        'email.received',
        'email.sent',
        'email.replied',
        'email.bounced',
        'email.opened',
        'email.clicked',
        'meeting.scheduled',
        'meeting.updated',
        'meeting.cancelled',
        'mailbox.connected',
        'mailbox.reauth_required',
        'mailbox.disconnected',
      ].sort(),
    );
    expect(Object.keys(AGGREGATE_OF).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('has one dedupe-key rule: type, workspace, occurrence', () => {
    expect(dedupeKey({ type: 'email.sent', workspaceId: 'w1', occurrence: 'mid:<a@b>' })).toBe(
      'email.sent:w1:mid:<a@b>',
    );
  });

  it('refuses data that breaks its type contract', () => {
    const mailbox = '00000000-0000-4000-8000-000000000002';
    const event = {
      type: 'mailbox.reauth_required' as const,
      workspaceId: '00000000-0000-4000-8000-000000000001',
      aggregateId: mailbox,
      occurrence: `${mailbox}:v1`,
      data: { mailboxId: mailbox, email: 'a@b.com', provider: 'google', reason: 'revoked' },
    };
    expect(checkEvent(event)).toBe(event);
    expect(() => checkEvent({ ...event, data: { ...event.data, mailboxId: 'nope' } })).toThrow();
  });
});
