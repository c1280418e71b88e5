/**
 * Builds Gmail's `payload` (a MessagePart tree) from raw MIME, for `format=full` and `metadata`.
 * Bodies are transfer-decoded and re-encoded base64url as Gmail does; parts over the inline limit
 * carry an `attachmentId` instead of `data`. Deliberately small: the emulator's clients read raw.
 */
export interface MessagePart {
  partId: string;
  mimeType: string;
  filename: string;
  headers: { name: string; value: string }[];
  body: { size: number; data?: string; attachmentId?: string };
  parts?: MessagePart[];
}

const INLINE_LIMIT = 64 * 1024;

function splitHeaderBody(text: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  return m
    ? { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) }
    : { head: text, body: '' };
}

export function parseHeaders(head: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1];
      if (last) {
        last.value += ` ${line.trim()}`;
      }
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) {
        out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
      }
    }
  }
  return out;
}

function decodeBody(body: string, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      );
    default:
      return Buffer.from(body, 'latin1');
  }
}

export function buildPart(
  text: string,
  partId: string,
  attachmentIdFor: (partId: string) => string,
): MessagePart {
  const { head, body } = splitHeaderBody(text);
  const headers = parseHeaders(head);
  const get = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value ?? '';
  const contentType = get('content-type') || 'text/plain';
  const mimeType = (contentType.split(';')[0] ?? 'text/plain').trim().toLowerCase();
  const filename =
    /filename\*?="?([^";]+)"?/i.exec(get('content-disposition'))?.[1] ??
    /name="?([^";]+)"?/i.exec(contentType)?.[1] ??
    '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (mimeType.startsWith('multipart/') && boundary) {
    const chunks = body.split(
      new RegExp(
        `\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`,
      ),
    );
    const inner = chunks.slice(1, -1).filter((c) => c.trim() !== '');
    return {
      partId,
      mimeType,
      filename,
      headers,
      body: { size: 0 },
      parts: inner.map((chunk, i) =>
        buildPart(chunk, partId === '' ? String(i) : `${partId}.${i}`, attachmentIdFor),
      ),
    };
  }
  const decoded = decodeBody(body, get('content-transfer-encoding'));
  if (filename || decoded.length > INLINE_LIMIT) {
    return {
      partId,
      mimeType,
      filename,
      headers,
      body: { size: decoded.length, attachmentId: attachmentIdFor(partId) },
    };
  }
  return {
    partId,
    mimeType,
    filename,
    headers,
    body: { size: decoded.length, data: decoded.toString('base64url') },
  };
}

export function buildPayload(
  raw: Buffer,
  attachmentIdFor: (partId: string) => string,
): MessagePart {
  return buildPart(raw.toString('latin1'), '', attachmentIdFor);
}
