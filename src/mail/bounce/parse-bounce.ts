import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { BounceReport } from './bounce-report.ts';
import { parseDeliveryStatus } from './delivery-status.ts';
import { fieldValue, headerSection } from './header-fields.ts';
import { bracketedMessageId, type NormalizeMessageId } from './message-id.ts';
import { readTextReport } from './text-reports.ts';

/**
 * Raw message → what it reports about the delivery of a message we sent, or null when it is not
 * a delivery report (ordinary mail, read receipts, abuse/feedback reports all give null).
 *
 * The machine-readable RFC 3464 part wins when there is one; reports without it (or whose part
 * names no recipient) are read from the known human-readable forms (text-reports.ts). The original
 * Message-ID comes from the returned message (`message/rfc822`, `text/rfc822-headers`), else from
 * original headers quoted in the text, else from the report's own `X-Original-Message-ID`,
 * `In-Reply-To` or `References` (Exchange and Gmail point them at the original).
 *
 * Like parse-mime.ts this runs mailparser, so it belongs in the parser worker thread.
 */
export interface ParseBounceOptions {
  /** How Message-IDs are stored; default: the `<id@host>` form parse-mime.ts stores. */
  normalizeMessageId?: NormalizeMessageId;
}

/**
 * mailparser options this parser needs: `keepDeliveryStatus` keeps `message/delivery-status` as an
 * attachment instead of folding it into the text body.
 */
export const BOUNCE_MAILPARSER_OPTIONS = {
  keepDeliveryStatus: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  skipHtmlToText: false,
} as const;

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global-headers',
  'message/partial',
]);

function headerLookup(parsed: ParsedMail): (name: string) => string | undefined {
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    if (!headers.has(key)) {
      const colon = line.indexOf(':');
      headers.set(
        key,
        line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim(),
      );
    }
  }
  return (name) => headers.get(name);
}

function attachmentText(a: Attachment): string {
  return a.content.toString('utf8');
}

/** mailparser leaves the content type undefined on some broken parts. */
function typeOf(a: Attachment): string {
  return typeof a.contentType === 'string' ? a.contentType.toLowerCase() : '';
}

const RETURNED_PART =
  /^content-type:[ \t]*(?:message\/(?:rfc822|global|rfc822-headers|global-headers)|text\/rfc822-headers)\b/im;

/**
 * The Message-ID of a returned message that mailparser folded into the text (it inlines
 * `message/rfc822` parts marked `Content-Disposition: inline` and keeps only some of their
 * headers): read from the raw bytes, where such parts are 7bit/8bit text.
 */
function returnedPartMessageId(raw: Buffer): string | null {
  const source = raw.toString('latin1');
  const m = RETURNED_PART.exec(source);
  if (!m) {
    return null;
  }
  const afterPartHeaders = /\r?\n\r?\n/.exec(source.slice(m.index));
  if (!afterPartHeaders) {
    return null;
  }
  const start = m.index + afterPartHeaders.index + afterPartHeaders[0].length;
  return fieldValue(headerSection(source.slice(start, start + 64 * 1024)), 'message-id');
}

/** A `Message-ID:` field quoted in the text (the original's headers, copied into the report). */
function quotedMessageId(text: string): string | null {
  const m = /^[ \t>]*message-id[ \t]*:[ \t]*(\S.*|$)(?:\r?\n[ \t]+(\S.*))?/im.exec(text);
  return m ? `${m[1] ?? ''}${m[2] ?? ''}`.trim() : null;
}

function originalMessageId(
  parsed: ParsedMail,
  raw: Buffer,
  header: (name: string) => string | undefined,
  normalize: NormalizeMessageId,
): string | null {
  const candidates: (string | null | undefined)[] = [];
  for (const a of parsed.attachments) {
    if (RETURNED_TYPES.has(typeOf(a))) {
      candidates.push(fieldValue(headerSection(attachmentText(a)), 'message-id'));
    }
  }
  candidates.push(
    returnedPartMessageId(raw),
    quotedMessageId(parsed.text ?? ''),
    header('x-original-message-id'),
    header('original-message-id'),
    header('in-reply-to'),
    header('references')?.trim().split(/\s+/).at(-1),
  );
  for (const candidate of candidates) {
    const id = candidate ? normalize(candidate) : null;
    if (id !== null) {
      return id;
    }
  }
  return null;
}

/** The delivery-status text: an attachment, or the whole body when the root is the report. */
function deliveryStatusText(
  parsed: ParsedMail,
  header: (name: string) => string | undefined,
): string | null {
  const parts = parsed.attachments.filter((a) => STATUS_TYPES.has(typeOf(a)));
  if (parts.length > 0) {
    return parts.map(attachmentText).join('\n\n');
  }
  const rootType = header('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return STATUS_TYPES.has(rootType) ? (parsed.text ?? '') : null;
}

/**
 * For a message parsed with BOUNCE_MAILPARSER_OPTIONS (or at least `keepDeliveryStatus: true`),
 * with the raw bytes it was parsed from.
 */
export function bounceFromParsed(
  parsed: ParsedMail,
  raw: Buffer,
  options: ParseBounceOptions = {},
): BounceReport | null {
  const normalize = options.normalizeMessageId ?? bracketedMessageId;
  const header = headerLookup(parsed);
  const statusText = deliveryStatusText(parsed, header);
  const dsn = statusText !== null ? parseDeliveryStatus(statusText) : null;
  const text = readTextReport({
    header,
    fromAddress: parsed.from?.value[0]?.address ?? null,
    text: parsed.text ?? '',
  });
  if (dsn === null && text === null) {
    return null;
  }
  const useDsn = dsn !== null && (dsn.recipients.length > 0 || text === null);
  return {
    kind: useDsn ? 'dsn' : (text?.kind ?? 'dsn'),
    recipients: (useDsn ? dsn.recipients : text?.recipients) ?? [],
    originalMessageId: originalMessageId(parsed, raw, header, normalize),
    reportingMta: dsn?.reportingMta ?? text?.reportingMta ?? null,
  };
}

export async function parseBounce(
  raw: Buffer,
  options: ParseBounceOptions = {},
): Promise<BounceReport | null> {
  const parsed = await simpleParser(raw, BOUNCE_MAILPARSER_OPTIONS);
  return bounceFromParsed(parsed, raw, options);
}
