/**
 * Splits a `multipart/related` body (RFC 2387) into its parts, byte-exact: the form Google's
 * upload endpoints take for "metadata and media in one request" (`uploadType=multipart`), a JSON
 * part then the media part, as googleapis-common's multipartUpload writes it.
 */
export interface RelatedPart {
  contentType: string;
  body: Buffer;
}

/** The boundary parameter of a multipart Content-Type, quoted or not. */
export function boundaryOf(contentType: string | undefined): string | null {
  return (
    /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i
      .exec(contentType ?? '')
      ?.slice(1)
      .find(Boolean) ?? null
  );
}

/** The parts between the boundaries; null when the body is not delimited by that boundary. */
export function splitRelated(body: Buffer, boundary: string): RelatedPart[] | null {
  const first = Buffer.from(`--${boundary}`);
  // RFC 2046 §5.1.1: the line break before a boundary belongs to the boundary, not to the part.
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: RelatedPart[] = [];
  let at = body.indexOf(first);
  if (at < 0) {
    return null;
  }
  at += first.length;
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') {
      return parts;
    }
    const end = body.indexOf(next, at);
    if (end < 0) {
      return null;
    }
    parts.push(part(body.subarray(body.indexOf('\n', at) + 1, end)));
    at = end + next.length;
  }
}

function part(bytes: Buffer): RelatedPart {
  const blank = bytes.indexOf('\r\n\r\n');
  const startsBlank = bytes.subarray(0, 2).toString('latin1') === '\r\n';
  const headEnd = startsBlank ? 0 : blank < 0 ? bytes.length : blank;
  const bodyStart = startsBlank ? 2 : blank < 0 ? bytes.length : blank + 4;
  const head = bytes.subarray(0, headEnd).toString('latin1');
  const contentType = /^content-type:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? 'text/plain';
  return { contentType, body: bytes.subarray(bodyStart) };
}
