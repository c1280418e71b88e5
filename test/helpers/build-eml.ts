/** Builds small RFC 5322 messages for tests; every field is explicit so tests read as data. */
export interface EmlSpec {
  from: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * How the text becomes bytes: `utf8` (the default; non-ASCII header text is then raw UTF-8, as
   * an SMTPUTF8 server sends it, RFC 6532) or `latin1` (one byte per character: 8-bit headers
   * that are not valid UTF-8, as legacy mailers send them).
   */
  encoding?: 'utf8' | 'latin1';
}

export function buildEml(spec: EmlSpec): Buffer {
  const lines = [
    `From: ${spec.from}`,
    ...(spec.to?.length ? [`To: ${spec.to.join(', ')}`] : []),
    ...(spec.cc?.length ? [`Cc: ${spec.cc.join(', ')}`] : []),
    `Subject: ${spec.subject ?? 'Hello'}`,
    `Date: ${spec.date ?? 'Mon, 05 Oct 2026 10:00:00 +0000'}`,
    ...(spec.messageId ? [`Message-ID: ${spec.messageId}`] : []),
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references ? [`References: ${spec.references.join(' ')}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    spec.body ?? 'Hi there, following up on our call.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), spec.encoding ?? 'utf8');
}
