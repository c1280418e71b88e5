import type { NormalizedMessage } from './normalized-message.ts';

/** Messages between the parse pool and its worker threads. */
export interface ParseRequest {
  id: number;
  raw: Uint8Array;
}

/**
 * Sent by a worker when it picks a request up, i.e. once its modules are loaded and it is about to
 * parse. The pool starts the message's timeout here, so worker start-up never counts against it.
 */
export interface ParseStarted {
  id: number;
  started: true;
}

/** `parseMs`: the parse as the worker timed it (the pool grows on it, see parse-pool.ts). */
export type ParseResponse =
  | { id: number; parseMs: number; ok: true; message: NormalizedMessage }
  | { id: number; parseMs: number; ok: false; reason: string };

export type WorkerMessage = ParseStarted | ParseResponse;

export type ParseOutcome = { ok: true; message: NormalizedMessage } | { ok: false; reason: string };
