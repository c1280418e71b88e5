import type { AutomationMarker, AutomationMarkers } from './normalized-message.ts';

/**
 * Bulk, auto-reply and delivery-status detection from headers, as product.md lists them:
 * List-Id; List-Unsubscribe with Precedence bulk/list/junk; Auto-Submitted other than `no`
 * (RFC 3834); delivery status notifications (RFC 3464 `multipart/report`); auto-replies
 * (RFC 3834 plus the de-facto `X-Autoreply`/`X-Autorespond` headers and Outlook's subject prefix).
 *
 * `headers` maps lower-cased header names to their raw (unfolded) values.
 */
export type HeaderLookup = (name: string) => string | undefined;

const BULK_PRECEDENCE = /^(bulk|list|junk)$/i;
const AUTO_REPLY_SUBJECT =
  /^(automatic reply|auto[- ]?reply|autoreply|out of (the )?office( autoreply)?|abwesenheitsnotiz|réponse automatique)\s*:/i;

export function detectAutomation(header: HeaderLookup, subject: string): AutomationMarkers {
  const markers: AutomationMarker[] = [];
  const precedence = header('precedence')?.trim();
  const precedenceBulk = precedence !== undefined && BULK_PRECEDENCE.test(precedence);

  if (header('list-id') !== undefined) {
    markers.push('list_id');
  }
  if (header('list-unsubscribe') !== undefined && precedenceBulk) {
    markers.push('list_unsubscribe_bulk');
  } else if (precedenceBulk) {
    markers.push('precedence_bulk');
  }

  const autoSubmitted = header('auto-submitted')?.trim().toLowerCase();
  const autoSubmittedSet =
    autoSubmitted !== undefined && autoSubmitted !== '' && !autoSubmitted.startsWith('no');
  if (autoSubmittedSet) {
    markers.push('auto_submitted');
  }

  const autoReply =
    autoSubmitted === 'auto-replied' ||
    header('x-autoreply') !== undefined ||
    header('x-autorespond') !== undefined ||
    /^auto[_-]?reply$/i.test(precedence ?? '') ||
    /auto[_-]?reply/i.test(header('x-precedence') ?? '') ||
    AUTO_REPLY_SUBJECT.test(subject.trim());
  if (autoReply) {
    markers.push('auto_reply');
  }

  const contentType = header('content-type')?.toLowerCase() ?? '';
  const dsn =
    /^multipart\/report\b/.test(contentType) &&
    /report-type\s*=\s*"?delivery-status/.test(contentType);
  if (dsn) {
    markers.push('delivery_status');
  }

  return {
    bulk: markers.some(
      (m) => m === 'list_id' || m === 'list_unsubscribe_bulk' || m === 'precedence_bulk',
    ),
    autoReply: autoReply || autoSubmittedSet,
    dsn,
    markers,
  };
}
