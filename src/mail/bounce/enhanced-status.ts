import type { DeliveryAction } from './bounce-report.ts';

/**
 * Enhanced mail system status codes (RFC 3463: class.subject.detail, class 2, 4 or 5). DSNs carry
 * one in `Status`; text-only reports and some broken DSNs only have it inside the server's reply
 * (`550 5.1.1 …`), and some only have the basic SMTP reply code (`550 …`), which gives the class.
 */
const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;
const BASIC_REPLY = /(?<![\d.])([45])\d\d(?![\d.])/;

/** The first enhanced status code in `text`, as `X.Y.Z`. */
export function findEnhancedStatus(text: string | null | undefined): string | null {
  const m = text ? ENHANCED.exec(text) : null;
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : null;
}

/**
 * The status of one recipient: the Status field when it holds a valid code, else the first code
 * in the diagnostic text, else the class of the first basic SMTP reply code there (`5.0.0`).
 */
export function normalizeStatus(
  status: string | null | undefined,
  diagnostic: string | null | undefined,
): string | null {
  const own = findEnhancedStatus(status) ?? findEnhancedStatus(diagnostic);
  if (own !== null) {
    return own;
  }
  const basic = diagnostic ? BASIC_REPLY.exec(diagnostic) : null;
  return basic ? `${basic[1]}.0.0` : null;
}

const ACTIONS = new Set<DeliveryAction>(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

/** The Action field as one of RFC 3464's words, or derived from the status class when absent. */
export function normalizeAction(
  action: string | null | undefined,
  status: string | null,
): DeliveryAction | null {
  const word =
    action
      ?.trim()
      .toLowerCase()
      .split(/[\s(;]/)[0] ?? '';
  if (ACTIONS.has(word as DeliveryAction)) {
    return word as DeliveryAction;
  }
  const byClass: Record<string, DeliveryAction> = {
    '5': 'failed',
    '4': 'delayed',
    '2': 'delivered',
  };
  return byClass[status?.[0] ?? ''] ?? null;
}
