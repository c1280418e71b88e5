import type { BounceReport } from './bounce/bounce-report.ts';

/**
 * The provider-independent message every source (raw MIME, Gmail, Graph) is mapped to before
 * persistence and enrichment. Plain data only: it crosses the parser's worker-thread boundary.
 */
export interface MessageAddress {
  /** As written in the header (RFC 2047 decoded by the parser); may be invalid. */
  address: string;
  name: string;
}

export interface AttachmentMeta {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export type AutomationMarker =
  | 'list_id'
  | 'list_unsubscribe_bulk'
  | 'precedence_bulk'
  | 'auto_submitted'
  | 'auto_reply'
  | 'delivery_status';

export interface AutomationMarkers {
  bulk: boolean;
  autoReply: boolean;
  dsn: boolean;
  /** Which headers triggered the flags above, for counters and debugging. */
  markers: AutomationMarker[];
}

/** The calendar object a `text/calendar` part carries (an invitation, reply, counter, cancel). */
export interface MessageInvitation {
  method: string | null;
  uid: string;
  sequence: number;
  summary: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  startsAt: string | null;
}

export interface NormalizedMessage {
  /** `<id@host>` form, or null when the message has none. */
  internetMessageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** The Date header, or null when absent or unparseable. */
  sentAt: string | null;
  from: MessageAddress[];
  to: MessageAddress[];
  cc: MessageAddress[];
  bcc: MessageAddress[];
  replyTo: MessageAddress[];
  snippet: string;
  textBody: string;
  textBodyTruncated: boolean;
  /** The HTML part as received (not sanitised), capped like the text body; '' when none. */
  htmlBody: string;
  htmlBodyTruncated: boolean;
  attachments: AttachmentMeta[];
  automation: AutomationMarkers;
  /** null when the message carries no (readable) calendar part. */
  invitation: MessageInvitation | null;
  /** The delivery report (DSN, NDR) this message is, or null for any other message. */
  bounce: BounceReport | null;
  sizeBytes: number;
}
