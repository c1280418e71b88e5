import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import {
  busyDelayMs,
  deliveryJobId,
  deliveryJobOptions,
} from '../../src/webhooks/delivery-job-spec.ts';

const webhookId = '0b6f3d1e-8a55-4c39-9d0e-2f1f7f5a9c11';

describe('deliveryJobId', () => {
  it('is the same for the same (webhook, event, replay) and new for each replay', () => {
    const a = deliveryJobId({ webhookId, eventId: 'evt_01', replays: 0 });
    expect(deliveryJobId({ webhookId, eventId: 'evt_01', replays: 0 })).toBe(a);
    expect(deliveryJobId({ webhookId, eventId: 'evt_01', replays: 1 })).not.toBe(a);
    expect(deliveryJobId({ webhookId, eventId: 'evt_02', replays: 0 })).not.toBe(a);
  });

  it.each(['0000001:42', '12345678901234567890', 'a b/c', 'x'.repeat(300)])(
    'is a valid BullMQ id (no colon, not all digits) for event id %s',
    (eventId) => {
      const id = deliveryJobId({ webhookId, eventId, replays: 0 });
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
      expect(id).toMatch(/^[A-Za-z0-9_.-]+$/);
    },
  );
});

describe('busyDelayMs', () => {
  it('starts near 100 ms, doubles per deferral, stops at the timeout, with 50 % jitter', () => {
    expect(busyDelayMs(0, 10_000, 0)).toBe(50);
    expect(busyDelayMs(0, 10_000, 1)).toBe(100);
    expect(busyDelayMs(3, 10_000, 1)).toBe(800);
    expect(busyDelayMs(40, 10_000, 1)).toBe(10_000);
    expect(busyDelayMs(40, 10_000, 0)).toBe(5_000);
  });
});

describe('deliveryJobOptions', () => {
  it('retries MAILROOM_WEBHOOK_MAX_ATTEMPTS times with exponential backoff and jitter', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://x@localhost/x',
      MAILROOM_WEBHOOK_BACKOFF_MS: '5000',
      MAILROOM_WEBHOOK_MAX_ATTEMPTS: '10',
    });
    expect(deliveryJobOptions(config.webhooks)).toMatchObject({
      attempts: 10,
      backoff: { type: 'exponential', delay: 5000, jitter: 0.5 },
    });
    expect(config.webhooks).toMatchObject({ timeoutMs: 10_000, egress: 'public' });
  });
});
