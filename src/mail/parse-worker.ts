/**
 * Parser worker thread: receives raw messages, answers with a NormalizedMessage or a reason.
 * It first reports that it has started on a message (the pool's timeout runs from there, so a
 * slow start-up of this thread does not count against the message).
 * An exception the parser throws asynchronously (outside our promise) kills this thread only;
 * the pool notices, fails that one message and starts a fresh worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseMime, type ParseLimits } from './parse-mime.ts';
import type { ParseRequest, ParseResponse, ParseStarted } from './parse-protocol.ts';

const limits = workerData as ParseLimits;
const port = parentPort;
if (!port) {
  throw new Error('parse-worker must run as a worker thread');
}

port.on('message', (req: ParseRequest) => {
  port.postMessage({ id: req.id, started: true } satisfies ParseStarted);
  const start = performance.now();
  const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
  parseMime(raw, limits).then(
    (message) => {
      const parseMs = performance.now() - start;
      port.postMessage({ id: req.id, parseMs, ok: true, message } satisfies ParseResponse);
    },
    (err: unknown) => {
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const parseMs = performance.now() - start;
      port.postMessage({ id: req.id, parseMs, ok: false, reason } satisfies ParseResponse);
    },
  );
});
