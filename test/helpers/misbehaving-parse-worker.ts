/**
 * A parser worker that misbehaves on demand, to prove the pool's isolation: input containing
 * `CRASH` throws an uncaught RangeError from a later tick (as the corpus message that kills
 * mailparser does), `HANG` never answers, `HANG_ONCE` never answers the first time it is tried
 * and is parsed on any later try, `OOM` allocates until the heap cap kills the thread; anything
 * else is parsed for real. Like the real worker, it reports each message as started first.
 *
 * A message with an `X-Attempt-Log: <file>` header gets a line appended to that file each time a
 * worker picks it up, so a test can count the tries (and `HANG_ONCE` knows which try it is on).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseMime, type ParseLimits } from '../../src/mail/parse-mime.ts';
import type { ParseRequest, ParseResponse, ParseStarted } from '../../src/mail/parse-protocol.ts';

const port = parentPort;
if (!port) {
  throw new Error('must run as a worker');
}
const limits = workerData as ParseLimits;

/** Records this try in the message's attempt log; returns which try it is (1 for the first). */
function recordAttempt(text: string): number {
  const log = /^X-Attempt-Log: *(.+)$/m.exec(text)?.[1]?.trim();
  if (!log) {
    return 1;
  }
  appendFileSync(log, 'try\n');
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
}

port.on('message', (req: ParseRequest) => {
  port.postMessage({ id: req.id, started: true } satisfies ParseStarted);
  const raw = Buffer.from(req.raw);
  const text = raw.toString('latin1');
  const attempt = recordAttempt(text);
  if (text.includes('CRASH')) {
    setImmediate(() => {
      throw new RangeError('Invalid array length');
    });
    return;
  }
  if (text.includes('HANG_ONCE')) {
    if (attempt === 1) {
      return;
    }
  } else if (text.includes('HANG')) {
    return;
  }
  if (text.includes('OOM')) {
    const hog: string[][] = [];
    for (;;) {
      hog.push(new Array<string>(1_000_000).fill('x'));
    }
  }
  const start = performance.now();
  void parseMime(raw, limits).then((message) => {
    const parseMs = performance.now() - start;
    port.postMessage({ id: req.id, parseMs, ok: true, message } satisfies ParseResponse);
  });
});
