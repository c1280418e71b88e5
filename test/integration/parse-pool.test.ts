import { describe, expect, it } from 'vitest';
import { ParsePool } from '../../src/mail/parse-pool.ts';

const LIMITS = { maxMessageBytes: 1_000_000, maxHeaderBytes: 16_384, maxTextBodyChars: 10_000 };
const message = (subject: string) =>
  Buffer.from(`From: a@b.com\r\nTo: c@d.com\r\nSubject: ${subject}\r\n\r\nbody\r\n`);

describe('parse pool isolation', () => {
  it('a crashing, hanging or memory-hungry message costs only itself', async () => {
    const pool = new ParsePool({
      size: 2,
      timeoutMs: 1_500,
      limits: LIMITS,
      maxHeapMb: 64,
      workerUrl: new URL('../helpers/misbehaving-parse-worker.ts', import.meta.url),
    });
    try {
      const subjects = ['one', 'CRASH', 'two', 'HANG', 'three', 'OOM', 'four'];
      const outcomes = await Promise.all(subjects.map((s) => pool.parse(message(s))));
      const bySubject = Object.fromEntries(subjects.map((s, i) => [s, outcomes[i]]));
      for (const ok of ['one', 'two', 'three', 'four']) {
        const outcome = bySubject[ok];
        expect(outcome?.ok).toBe(true);
        expect(outcome?.ok && outcome.message.subject).toBe(ok);
      }
      expect(bySubject['CRASH']).toEqual({
        ok: false,
        reason: expect.stringMatching(/parser crashed: RangeError: Invalid array length/) as string,
      });
      expect(bySubject['HANG']).toEqual({ ok: false, reason: 'parser timed out after 1500 ms' });
      expect(bySubject['OOM']?.ok).toBe(false);
      expect(pool.crashes).toBeGreaterThanOrEqual(2);
      expect(pool.timeouts).toBe(1);
      // The pool still works after replacing its workers.
      const after = await pool.parse(message('after'));
      expect(after.ok && after.message.subject).toBe('after');
    } finally {
      await pool.close();
    }
  });

  it('rejects oversized input before parsing', async () => {
    const pool = new ParsePool({ size: 1, timeoutMs: 5_000, limits: LIMITS });
    try {
      const hugeHeader = Buffer.from(`X-Big: ${'a'.repeat(20_000)}\r\nFrom: a@b.com\r\n\r\nbody`);
      const outcome = await pool.parse(hugeHeader);
      expect(outcome).toEqual({
        ok: false,
        reason: 'InputRejected: header section exceeds 16384 bytes',
      });
    } finally {
      await pool.close();
    }
  });
});
