import { simpleParser, type AddressObject, type ParsedMail, type EmailAddress } from 'mailparser';
import { detectAutomation } from './automation-markers.ts';
import type { BounceReport } from './bounce/bounce-report.ts';
import { bounceFromParsed, parseBounce } from './bounce/parse-bounce.ts';
import { decodeHeaderLine, utf8HeaderSection } from './header-charset.ts';
import { assertWithinLimits, type InputLimits } from './header-section.ts';
import { findInvitation } from './invitation.ts';
import { normalizeMessageId } from './message-id.ts';
import type { MessageAddress, NormalizedMessage } from './normalized-message.ts';
import { cutCodePoints } from './pg-text.ts';

/**
 * Raw RFC 5322 bytes → NormalizedMessage, with mailparser. Runs inside a parser worker thread
 * (see parse-pool.ts): mailparser is not safe against hostile input (one corpus message throws an
 * uncaught RangeError from inside a stream), so it must never run in the process that owns the
 * database connections and queues.
 */
export interface ParseLimits extends InputLimits {
  maxTextBodyChars: number;
  /** The stored HTML body is cut to this many code points (`htmlBodyTruncated` says so). */
  maxHtmlBodyChars: number;
}

/** Snippet length in code points (see pg-text.ts: cuts never split a surrogate pair). */
const SNIPPET_CHARS = 200;

/** Options shared with the benchmark's parse-only baseline, so both do the same parsing work. */
export const MAILPARSER_OPTIONS = {
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  maxHtmlLengthToParse: 5 * 1024 * 1024,
  // The HTML keeps its `cid:` references: by default mailparser inlines every related image as a
  // base64 `data:` URL, which would store each image twice and be dropped by the sanitiser anyway.
  keepCidLinks: true,
} as const;

function flattenAddresses(field: AddressObject | AddressObject[] | undefined): MessageAddress[] {
  if (!field) {
    return [];
  }
  const out: MessageAddress[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const entry of entries) {
      if (entry.group) {
        visit(entry.group);
      } else if (entry.address) {
        out.push({ address: entry.address, name: entry.name });
      }
    }
  };
  for (const obj of Array.isArray(field) ? field : [field]) {
    visit(obj.value);
  }
  return out;
}

function unfold(line: string): string {
  const colon = line.indexOf(':');
  return (colon >= 0 ? line.slice(colon + 1) : line).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function parseDate(value: string | undefined): string | null {
  if (!value) {
    return null;
  }
  const d = new Date(value.replace(/\s+\([^)]*\)\s*$/, ''));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The date of the newest Received hop: a fallback for messages with no usable Date header. */
function receivedDate(lines: readonly { key: string; line: string }[]): string | null {
  const received = lines.find((l) => l.key === 'received');
  const value = received ? unfold(received.line) : undefined;
  return parseDate(value?.slice(value.lastIndexOf(';') + 1));
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function toNormalized(
  parsed: ParsedMail,
  sizeBytes: number,
  limits: Pick<ParseLimits, 'maxTextBodyChars' | 'maxHtmlBodyChars'>,
  bounce: BounceReport | null,
): NormalizedMessage {
  // mailparser gives header lines one character per byte; parseMime made them UTF-8.
  const lines = parsed.headerLines.map(({ key, line }) => ({ key, line: decodeHeaderLine(line) }));
  const headers = new Map<string, string>();
  for (const { key, line } of lines) {
    if (!headers.has(key)) {
      headers.set(key, unfold(line));
    }
  }
  const subject = collapse(parsed.subject ?? '');
  const text = (parsed.text ?? '').replace(/\r\n/g, '\n').trim();
  const textBody = cutCodePoints(text, limits.maxTextBodyChars);
  // Stored as received (the API sanitises it when it serves it); mailparser gives `false` for none.
  const html = typeof parsed.html === 'string' ? parsed.html.trim() : '';
  const htmlBody = cutCodePoints(html, limits.maxHtmlBodyChars);
  const references = (
    Array.isArray(parsed.references)
      ? parsed.references
      : (headers.get('references')?.match(/<[^<>\s]+>/g) ?? [])
  ).filter((r) => r.length > 2);
  return {
    internetMessageId: normalizeMessageId(headers.get('message-id')),
    inReplyTo: normalizeMessageId(headers.get('in-reply-to')),
    references: [
      ...new Set(references.map((r) => normalizeMessageId(r)).filter((r) => r !== null)),
    ],
    subject,
    sentAt: parseDate(headers.get('date')) ?? receivedDate(lines),
    from: flattenAddresses(parsed.from),
    to: flattenAddresses(parsed.to),
    cc: flattenAddresses(parsed.cc),
    bcc: flattenAddresses(parsed.bcc),
    replyTo: flattenAddresses(parsed.replyTo),
    snippet: cutCodePoints(collapse(cutCodePoints(text, SNIPPET_CHARS * 4)), SNIPPET_CHARS),
    textBody,
    textBodyTruncated: textBody.length < text.length,
    htmlBody,
    htmlBodyTruncated: htmlBody.length < html.length,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
      contentId: a.contentId ?? null,
      inline: a.contentDisposition === 'inline' || a.related,
    })),
    automation: detectAutomation((name) => headers.get(name), subject),
    invitation: findInvitation(parsed),
    bounce,
    sizeBytes,
  };
}

/** The spellings of the `message/delivery-status` media type that MTAs write. */
const DELIVERY_STATUS_SPELLINGS = ['delivery-status', 'Delivery-Status', 'DELIVERY-STATUS'];

/**
 * The delivery report a message carries, read by mail/bounce with the Message-IDs stored the way
 * this parser stores them. Reports with a `message/delivery-status` part need mailparser's
 * `keepDeliveryStatus`, which the main parse leaves off (it would move that part of every DSN out
 * of the stored text), so only those are parsed a second time: a byte search, no allocation,
 * picks them out. Text-only reports (Exchange, Gmail, Exim) are read from the main parse.
 */
async function bounceOf(parsed: ParsedMail, raw: Buffer): Promise<BounceReport | null> {
  const options = { normalizeMessageId };
  return DELIVERY_STATUS_SPELLINGS.some((s) => raw.includes(s))
    ? parseBounce(raw, options)
    : bounceFromParsed(parsed, raw, options);
}

export async function parseMime(raw: Buffer, limits: ParseLimits): Promise<NormalizedMessage> {
  assertWithinLimits(raw, limits);
  // Raw 8-bit header bytes become UTF-8 before mailparser reads them (see header-charset.ts).
  const parsed = await simpleParser(
    utf8HeaderSection(raw, limits.maxHeaderBytes),
    MAILPARSER_OPTIONS,
  );
  return toNormalized(parsed, raw.length, limits, await bounceOf(parsed, raw));
}
