import type { BounceKind, BounceRecipient, DeliveryAction } from './bounce-report.ts';
import { address } from './delivery-status.ts';
import { normalizeStatus } from './enhanced-status.ts';

/**
 * Non-delivery reports that carry no machine-readable part, read from their human text. Only the
 * forms below are recognised, each by a marker its sender always writes; anything else is not a
 * bounce (a false positive would mark a good address as bouncing).
 * - Exchange / Office 365: header `X-MS-Exchange-Message-Is-Ndr` (Exchange 2003:
 *   `X-MS-Embedded-Report`), or the text "Delivery has failed to these recipients or groups:"
 *   (2003: "did not reach the following recipient(s):") followed by the addresses; the server's
 *   reply is in "Remote Server returned '550 5.1.10 …'", the reporting host in "Generating server:".
 * - Gmail: from mailer-daemon@googlemail.com / @google.com with "Delivery to the following
 *   recipient failed permanently:" (or "has been delayed:") above the address, or with
 *   `X-Failed-Recipients` (Google Groups, Workspace); the reply follows "The error that the other
 *   server returned was:".
 * - Any other report whose sender lists failed addresses in `X-Failed-Recipients` (Exim, Mail.ru):
 *   the reply is the first SMTP reply code after the address in the text.
 */
export interface TextReportInput {
  /** Lower-cased header name → unfolded value (first occurrence). */
  header: (name: string) => string | undefined;
  fromAddress: string | null;
  /** The plain-text body (mailparser's `text`, HTML converted when there is no text part). */
  text: string;
}

export interface TextReport {
  kind: BounceKind;
  recipients: BounceRecipient[];
  reportingMta: string | null;
}

const EMAIL = /[A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const EXCHANGE_LIST =
  /Delivery has failed to these recipients or groups:?|did not reach the following recipient\(s\):?/i;
const EXCHANGE_REPLY = /Remote Server returned '([^']+)'/i;
const EXCHANGE_HOST = /Generating server:\s*(\S+)/i;

const GMAIL_SENDER = /^mailer-daemon@(googlemail|google)\.com$/i;
const GMAIL_LIST =
  /Delivery to the following recipients? (failed permanently|has been delayed|failed)[^:\n]*:/i;
const GMAIL_REPLY = /The error that the other server returned was:?\s*([\s\S]*?)(?:\n\s*\n|$)/i;

/** SMTP reply code plus the rest of its line: `550 5.1.1 <x@y>... User Unknown`. */
const SMTP_REPLY_LINE = /(?<![\d.])[45]\d\d(?:[ -][245]\.\d{1,3}\.\d{1,3})?[ -][^\n]*/;

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The addresses in the lines after `marker`, up to the first line without one (after some). */
function addressesAfter(text: string, marker: RegExp): string[] {
  const m = marker.exec(text);
  if (!m) {
    return [];
  }
  const found: string[] = [];
  for (const line of text.slice(m.index + m[0].length).split('\n')) {
    const inLine = line.match(EMAIL) ?? [];
    if (inLine.length === 0) {
      if (found.length > 0 && line.trim() !== '') {
        break;
      }
      continue;
    }
    found.push(...inLine);
  }
  return found;
}

function unique(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => address(a)).filter((a) => a !== null))];
}

function recipient(
  addr: string,
  action: DeliveryAction,
  diagnosticCode: string | null,
): BounceRecipient {
  return {
    recipient: addr,
    originalRecipient: null,
    action,
    status: normalizeStatus(null, diagnosticCode),
    diagnosticCode,
    remoteMta: null,
  };
}

function headerAddresses(value: string | undefined): string[] {
  return unique(value?.match(EMAIL) ?? []);
}

function exchange(input: TextReportInput): TextReport | null {
  const flagged =
    input.header('x-ms-exchange-message-is-ndr') !== undefined ||
    input.header('x-ms-embedded-report') !== undefined;
  if (!flagged && !EXCHANGE_LIST.test(input.text)) {
    return null;
  }
  const addresses = unique(addressesAfter(input.text, EXCHANGE_LIST));
  const reply = EXCHANGE_REPLY.exec(input.text)?.[1];
  const diagnostic = reply !== undefined ? collapse(reply) : null;
  return {
    kind: 'exchange-ndr',
    recipients: addresses.map((a) => recipient(a, 'failed', diagnostic)),
    reportingMta: EXCHANGE_HOST.exec(input.text)?.[1] ?? null,
  };
}

function gmail(input: TextReportInput): TextReport | null {
  const list = GMAIL_LIST.exec(input.text);
  const failed = headerAddresses(input.header('x-failed-recipients'));
  if (!GMAIL_SENDER.test(input.fromAddress ?? '') || (!list && failed.length === 0)) {
    return null;
  }
  const action: DeliveryAction = /delayed/i.test(list?.[1] ?? '') ? 'delayed' : 'failed';
  const addresses = failed.length > 0 ? failed : unique(addressesAfter(input.text, GMAIL_LIST));
  const reply = GMAIL_REPLY.exec(input.text)?.[1];
  const common = reply !== undefined && reply.trim() !== '' ? collapse(reply) : null;
  return {
    kind: 'gmail-dsn',
    recipients: addresses.map((a) => recipient(a, action, common ?? replyAfter(input.text, a))),
    reportingMta: null,
  };
}

/** The first SMTP reply after the address's first mention in the text, for X-Failed-Recipients. */
function replyAfter(text: string, addr: string): string | null {
  const at = text.toLowerCase().indexOf(addr);
  const window = text.slice(at < 0 ? 0 : at, (at < 0 ? 0 : at) + 1000);
  const m = SMTP_REPLY_LINE.exec(window);
  return m ? collapse(m[0]) : null;
}

function failedRecipientsHeader(input: TextReportInput): TextReport | null {
  const addresses = headerAddresses(input.header('x-failed-recipients'));
  if (addresses.length === 0) {
    return null;
  }
  return {
    kind: 'text-ndr',
    recipients: addresses.map((a) => recipient(a, 'failed', replyAfter(input.text, a))),
    reportingMta: null,
  };
}

/** The first known text form the message is in, or null. */
export function readTextReport(input: TextReportInput): TextReport | null {
  return exchange(input) ?? gmail(input) ?? failedRecipientsHeader(input);
}
