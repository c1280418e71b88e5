import type { NormalizedMessage } from './normalized-message.ts';

/** Messages between the parse pool and its worker threads. */
export interface ParseRequest {
  id: number;
  raw: Uint8Array;
}

export type ParseResponse =
  { id: number; ok: true; message: NormalizedMessage } | { id: number; ok: false; reason: string };

export type ParseOutcome = { ok: true; message: NormalizedMessage } | { ok: false; reason: string };
