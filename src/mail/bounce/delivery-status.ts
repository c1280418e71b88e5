import { normalizeAddress } from '../../addresses/address.ts';
import type { BounceRecipient } from './bounce-report.ts';
import { normalizeAction, normalizeStatus } from './enhanced-status.ts';
import { fieldGroups, fieldValue, typedValue, type Field } from './header-fields.ts';

/**
 * The body of a `message/delivery-status` part (RFC 3464 §2.1): per-message fields, then one
 * group of per-recipient fields for each recipient, groups separated by empty lines. Real reports
 * also run groups together without the empty line (a second Final-Recipient starts a new
 * recipient), leave extra empty lines, or give only Original-Recipient.
 */
export interface DeliveryStatus {
  reportingMta: string | null;
  recipients: BounceRecipient[];
}

const RECIPIENT_FIELDS = new Set(['final-recipient', 'original-recipient', 'x-actual-recipient']);

/** One group per recipient: a new one starts where a recipient field repeats in the same group. */
function recipientGroups(groups: Field[][]): Field[][] {
  const out: Field[][] = [];
  for (const group of groups) {
    let current: Field[] = [];
    for (const field of group) {
      if (RECIPIENT_FIELDS.has(field.name) && current.some((f) => f.name === field.name)) {
        out.push(current);
        current = [];
      }
      current.push(field);
    }
    out.push(current);
  }
  return out.filter((g) => g.some((f) => RECIPIENT_FIELDS.has(f.name)));
}

export function address(value: string | null): string | null {
  const raw = typedValue(value);
  if (raw === null) {
    return null;
  }
  return normalizeAddress(raw) ?? raw.toLowerCase();
}

/** The first of the values that is an address, else the first value at all. */
function bestRecipient(values: (string | null)[]): string | null {
  const present = values.filter((v) => v !== null);
  return present.find((v) => normalizeAddress(v) !== null) ?? present[0] ?? null;
}

function toRecipient(group: Field[]): BounceRecipient | null {
  const originalRecipient = address(fieldValue(group, 'original-recipient'));
  // Exim reports local deliveries as `Final-Recipient: rfc822;/var/spool/…` (a path, no address).
  const recipient = bestRecipient([
    address(fieldValue(group, 'final-recipient')),
    address(fieldValue(group, 'x-actual-recipient')),
    originalRecipient,
  ]);
  if (recipient === null) {
    return null;
  }
  const diagnosticCode = fieldValue(group, 'diagnostic-code') || null;
  const status = normalizeStatus(fieldValue(group, 'status'), diagnosticCode);
  return {
    recipient,
    originalRecipient,
    action: normalizeAction(fieldValue(group, 'action'), status),
    status,
    diagnosticCode,
    remoteMta: typedValue(fieldValue(group, 'remote-mta')),
  };
}

const BASE64_PARAGRAPH = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/**
 * Some relays (seen behind Postfix in the MimeKit corpus) base64-encode the per-recipient fields
 * and announce it with a `Content-Transfer-Encoding: base64` line among the per-message fields.
 */
function decodeInlineBase64(text: string): string {
  if (!/^content-transfer-encoding:[ \t]*base64[ \t]*$/im.test(text)) {
    return text;
  }
  return text
    .split(/(?:\r?\n){2,}/)
    .map((paragraph) => {
      const compact = paragraph.replace(/\s+/g, '');
      return BASE64_PARAGRAPH.test(compact)
        ? Buffer.from(compact, 'base64').toString('utf8')
        : paragraph;
    })
    .join('\n\n');
}

export function parseDeliveryStatus(text: string): DeliveryStatus {
  const groups = fieldGroups(decodeInlineBase64(text));
  const reportingMta =
    groups.map((g) => typedValue(fieldValue(g, 'reporting-mta'))).find((v) => v !== null) ?? null;
  const recipients = recipientGroups(groups)
    .map(toRecipient)
    .filter((r) => r !== null);
  return { reportingMta, recipients };
}
