import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParsePool } from '../../src/mail/parse-pool.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LIMITS = {
  maxMessageBytes: 1_000_000,
  maxHeaderBytes: 16_384,
  maxTextBodyChars: 10_000,
  maxHtmlBodyChars: 100_000,
};
const message = (subject: string, headers = '') =>
  Buffer.from(`From: a@b.com\r\nTo: c@d.com\r\nSubject: ${subject}\r\n${headers}\r\nbody\r\n`);
const MISBEHAVING_WORKER = new URL('../helpers/misbehaving-parse-worker.ts', import.meta.url);
/** Waits several seconds before it loads its modules, longer than the timeouts used with it. */
const SLOW_START_WORKER = new URL('../helpers/slow-start-parse-worker.ts', import.meta.url);

describe('parse pool isolation', () => {
  it('a crashing, hanging or memory-hungry message costs only itself', async () => {
    const pool = new ParsePool({
      size: 2,
      timeoutMs: 3_000,
      limits: LIMITS,
      maxHeapMb: 64,
      workerUrl: MISBEHAVING_WORKER,
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
      expect(bySubject['HANG']).toEqual({ ok: false, reason: 'parser timed out after 3000 ms' });
      expect(bySubject['OOM']?.ok).toBe(false);
      expect(pool.crashes).toBeGreaterThanOrEqual(2);
      // HANG times out on both tries; OOM is normally killed by the heap cap, but on a loaded
      // machine filling 64 MB can itself outlast the budget, so it may count as a timeout too.
      expect(pool.timeouts).toBeGreaterThanOrEqual(1);
      expect(pool.timeouts).toBeLessThanOrEqual(2);
      // The pool still works after replacing its workers.
      const after = await pool.parse(message('after'));
      expect(after.ok && after.message.subject).toBe('after');
    } finally {
      await pool.close();
    }
  });

  it('a worker that is slow to start does not time out healthy messages', async () => {
    // The worker takes longer to start than the timeout; only the parse itself is timed.
    const pool = new ParsePool({
      size: 2,
      timeoutMs: 1_000,
      limits: LIMITS,
      workerUrl: SLOW_START_WORKER,
    });
    try {
      const subjects = ['one', 'two', 'three'];
      const outcomes = await Promise.all(subjects.map((s) => pool.parse(message(s))));
      expect(outcomes.map((o) => (o.ok ? o.message.subject : o.reason))).toEqual(subjects);
      expect(pool.timeouts).toBe(0);
      expect(pool.retries).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('retries a timed-out message once in a fresh worker before failing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parse-pool-'));
    const pool = new ParsePool({
      size: 1,
      timeoutMs: 1_000,
      limits: LIMITS,
      workerUrl: MISBEHAVING_WORKER,
    });
    try {
      const onceLog = join(dir, 'hang-once.log');
      const alwaysLog = join(dir, 'hang.log');
      const [once, always, after] = await Promise.all([
        pool.parse(message('HANG_ONCE', `X-Attempt-Log: ${onceLog}\r\n`)),
        pool.parse(message('HANG', `X-Attempt-Log: ${alwaysLog}\r\n`)),
        pool.parse(message('after')),
      ]);
      // Timed out once, parsed on its second try.
      expect(once.ok && once.message.subject).toBe('HANG_ONCE');
      // Hangs every time: failed with the timeout reason after exactly two tries.
      expect(always).toEqual({ ok: false, reason: 'parser timed out after 1000 ms' });
      const tries = async (log: string) =>
        (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      expect(await tries(onceLog)).toHaveLength(2);
      expect(await tries(alwaysLog)).toHaveLength(2);
      expect(pool.retries).toBe(2);
      // HANG times out on both tries; OOM is normally killed by the heap cap, but on a loaded
      // machine filling 64 MB can itself outlast the budget, so it may count as a timeout too.
      expect(pool.timeouts).toBeGreaterThanOrEqual(1);
      expect(pool.timeouts).toBeLessThanOrEqual(2);
      expect(after.ok && after.message.subject).toBe('after');
    } finally {
      await pool.close();
      await rm(dir, { recursive: true, force: true });
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

  it('starts a second worker only while one is kept busy, and stops it once idle', async () => {
    const pool = new ParsePool({ size: 2, timeoutMs: 10_000, limits: LIMITS, idleRetireMs: 200 });
    try {
      expect(pool.workers).toBe(1);
      // One message at a time never waits for a worker: one is enough, however long this takes.
      for (let i = 0; i < 30; i++) {
        await pool.parse(message(`alone ${i}`));
      }
      expect(pool.workers).toBe(1);
      // A standing backlog of messages that take a while to parse (a long quoted-printable HTML
      // body each) keeps the worker busy for more than the growth window.
      const heavy = (i: number) =>
        message(
          `heavy ${i}`,
          'MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n' +
            'Content-Transfer-Encoding: quoted-printable\r\n',
        ).toString() + '<p>caf=C3=A9 au lait =E2=80=94 </p>=\r\n'.repeat(2_000);
      let most = 1;
      for (let round = 0; round < 20 && most < 2; round++) {
        const outcomes = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            pool.parse(Buffer.from(heavy(i))).finally(() => {
              most = Math.max(most, pool.workers);
            }),
          ),
        );
        expect(outcomes.every((o) => o.ok)).toBe(true);
      }
      expect(most).toBe(2);
      await waitFor(() => Promise.resolve(pool.workers === 1), 'the idle extra worker to stop');
      // The one left still parses.
      const after = await pool.parse(message('after'));
      expect(after.ok && after.message.subject).toBe('after');
      expect(pool.crashes).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
