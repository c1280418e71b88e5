/**
 * A parser worker that misbehaves on demand, to prove the pool's isolation: input containing
 * `CRASH` throws an uncaught RangeError from a later tick (as the corpus message that kills
 * mailparser does), `HANG` never answers, `OOM` allocates until the heap cap kills the thread;
 * anything else is parsed for real.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseMime, type ParseLimits } from '../../src/mail/parse-mime.ts';
import type { ParseRequest } from '../../src/mail/parse-protocol.ts';

const port = parentPort;
if (!port) {
  throw new Error('must run as a worker');
}
const limits = workerData as ParseLimits;

port.on('message', (req: ParseRequest) => {
  const raw = Buffer.from(req.raw);
  const text = raw.toString('latin1');
  if (text.includes('CRASH')) {
    setImmediate(() => {
      throw new RangeError('Invalid array length');
    });
    return;
  }
  if (text.includes('HANG')) {
    return;
  }
  if (text.includes('OOM')) {
    const hog: string[][] = [];
    for (;;) {
      hog.push(new Array<string>(1_000_000).fill('x'));
    }
  }
  void parseMime(raw, limits).then((message) => {
    port.postMessage({ id: req.id, ok: true, message });
  });
});
