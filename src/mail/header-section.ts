/**
 * Bounds on untrusted input, checked before the parser sees a byte: a message over the size cap,
 * or whose header section does not end within the header cap, is rejected with a reason. mailparser
 * buffers the whole header block in memory, so a multi-megabyte "header" is a cheap way to hurt it.
 */
export interface InputLimits {
  maxMessageBytes: number;
  maxHeaderBytes: number;
}

export class InputRejected extends Error {
  override readonly name = 'InputRejected';
}

/** Byte offset where the body starts (after the blank line), or -1 if there is no body. */
export function headerSectionEnd(raw: Buffer, searchLimit: number): number {
  const window = raw.subarray(0, Math.min(raw.length, searchLimit));
  const candidates = [
    { at: window.indexOf('\r\n\r\n'), len: 4 },
    { at: window.indexOf('\n\n'), len: 2 },
    { at: window.indexOf('\r\r'), len: 2 },
  ].filter((c) => c.at >= 0);
  if (candidates.length === 0) {
    return -1;
  }
  const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  return first.at + first.len;
}

export function assertWithinLimits(raw: Buffer, limits: InputLimits): void {
  if (raw.length === 0) {
    throw new InputRejected('empty message');
  }
  if (raw.length > limits.maxMessageBytes) {
    throw new InputRejected(
      `message is ${raw.length} bytes, over the ${limits.maxMessageBytes}-byte limit`,
    );
  }
  const end = headerSectionEnd(raw, limits.maxHeaderBytes + 4);
  if (end < 0 && raw.length > limits.maxHeaderBytes) {
    throw new InputRejected(`header section exceeds ${limits.maxHeaderBytes} bytes`);
  }
}
