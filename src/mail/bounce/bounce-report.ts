/**
 * What a delivery report says about one message we sent: which recipients failed (or were
 * delayed, delivered, relayed), with the RFC 3463 enhanced status code and the remote server's
 * words, and the Message-ID of the message it reports on.
 */

/** Where the facts came from: the machine-readable RFC 3464 part, or a known human-readable form. */
export type BounceKind =
  /** `multipart/report; report-type=delivery-status` with a `message/delivery-status` part. */
  | 'dsn'
  /** Exchange / Outlook / Office 365 non-delivery report read from its text ("Delivery has failed"). */
  | 'exchange-ndr'
  /** Gmail's text-only "Delivery Status Notification (Failure|Delay)". */
  | 'gmail-dsn'
  /** Another text-only notice naming its failed recipients in `X-Failed-Recipients` (Exim and others). */
  | 'text-ndr';

/** RFC 3464 §2.3.3. Only `failed` is a bounce; the others are reported but change nothing. */
export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface BounceRecipient {
  /** Final-Recipient (or Original-Recipient when that is all there is), normalised like any address. */
  recipient: string;
  originalRecipient: string | null;
  /** As reported; when missing, derived from the status class (5 → failed, 4 → delayed, 2 → delivered). */
  action: DeliveryAction | null;
  /** Enhanced status `X.Y.Z` (RFC 3463): the Status field, else read from the diagnostic text. */
  status: string | null;
  /** The remote server's reply as reported, e.g. `smtp; 550 5.1.1 <x@y>: user unknown`. */
  diagnosticCode: string | null;
  remoteMta: string | null;
}

export interface BounceReport {
  kind: BounceKind;
  recipients: BounceRecipient[];
  /**
   * The Message-ID of the message the report is about, in the `<id@host>` form the email table
   * stores (`NormalizedMessage.internetMessageId`), or what `normalizeMessageId` made of it.
   */
  originalMessageId: string | null;
  reportingMta: string | null;
}

/** The recipients whose delivery failed: what makes a report a bounce. */
export function failedRecipients(report: BounceReport): BounceRecipient[] {
  return report.recipients.filter((r) => r.action === 'failed');
}
