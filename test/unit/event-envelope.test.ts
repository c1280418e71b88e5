import { describe, expect, it } from 'vitest';
import { eventId, seqOfEventId, toEnvelope } from '../../src/events/envelope.ts';

describe('event ids', () => {
  it('sort as strings in feed order across digit counts, up to the largest bigint', () => {
    const seqs = ['1', '2', '9', '10', '99', '100', '123456789', '9223372036854775807'];
    const ids = seqs.map(eventId);
    expect([...ids].sort()).toEqual(ids);
    expect(eventId('42')).toBe('evt_0000000000000000042');
    expect(ids.map(seqOfEventId)).toEqual(seqs);
  });

  it('refuses what is not a feed sequence number, and parses only event ids', () => {
    for (const bad of ['0', '-1', '01', '1.5', '', '12345678901234567890']) {
      expect(() => eventId(bad)).toThrow(/not a feed sequence number/);
    }
    for (const bad of ['evt_1', 'evt_0000000000000000000', 'x_0000000000000000001', '42']) {
      expect(seqOfEventId(bad)).toBeNull();
    }
  });

  it('makes the envelope of a numbered row', () => {
    expect(
      toEnvelope({
        seq: '7',
        type: 'company.created',
        workspaceId: 'ws',
        createdAt: new Date('2026-12-02T08:00:00.123Z'),
        payload: { companyId: 'c', domain: 'acme.example' },
      }),
    ).toEqual({
      id: 'evt_0000000000000000007',
      type: 'company.created',
      occurredAt: '2026-12-02T08:00:00.123Z',
      workspaceId: 'ws',
      data: { companyId: 'c', domain: 'acme.example' },
    });
  });
});
