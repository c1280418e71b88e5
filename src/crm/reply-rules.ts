import { activityKey } from './activity-keys.ts';
import type { EmailFacts } from './email-facts.ts';

/**
 * Reply detection (product.md "Replies") as pure functions. An inbound message is a reply when its
 * In-Reply-To or References names the Message-ID of an outbound message of any mailbox of the
 * workspace ("ours"); its sender, an external person, gets one EMAIL_REPLIED per reply message
 * (logical email), whichever of the two messages is stored first: the writer asks this question
 * whenever either side is stored, and the activity key makes the answer count once.
 */

/** An inbound message that may be a reply, with its sender as linked to a CRM person. */
export interface ReplyCandidate {
  emailId: string;
  logicalKey: string;
  inReplyTo: string | null;
  references: readonly string[];
  sentAt: string | null;
  /** The activity's time: sent, else stored. */
  occurredAt: string;
  /** Kept out of the CRM (bulk, automated, internal…: classify-message.ts). */
  crmSkipped: boolean;
  deleted: boolean;
  /** Header markers (automation-markers.ts), whatever the workspace's skip settings are. */
  automated: { bulk: boolean; autoReply: boolean; dsn: boolean };
  /** The message is a delivery report (mail/bounce). */
  isBounce: boolean;
  /** The first sender linked to a person; only linkable (external, non-role) senders ever are. */
  sender: ReplySender | null;
  facts: EmailFacts;
}

export interface ReplySender {
  personId: string;
  companyId: string | null;
  address: string;
  companyDomain: string | null;
}

/** One of our outbound messages, by Message-ID (the earliest copy when several mailboxes hold it). */
export interface OurMessage {
  emailId: string;
  internetMessageId: string;
  sentAt: string | null;
}

export interface DetectedReply {
  reply: ReplyCandidate;
  sender: ReplySender;
  answered: OurMessage;
  /** Seconds from our message to the reply; null when either date is unknown. */
  replySeconds: number | null;
  key: string;
}

/**
 * Auto-replies, delivery reports, bulk mail and mail kept out of the CRM never count, and only an
 * external person's reply does (internal and role senders are never linked to a person).
 */
export function mayCountAsReply(c: ReplyCandidate): boolean {
  const a = c.automated;
  return (
    c.sender !== null &&
    !c.crmSkipped &&
    !c.deleted &&
    !c.isBounce &&
    !a.bulk &&
    !a.autoReply &&
    !a.dsn &&
    (c.inReplyTo !== null || c.references.length > 0)
  );
}

/**
 * The message of ours a reply answers: the one In-Reply-To names if it is ours, else the last of
 * ours in References (the most recent message of the thread that we sent).
 */
export function answeredMessage(
  inReplyTo: string | null,
  references: readonly string[],
  ours: ReadonlyMap<string, OurMessage>,
): OurMessage | null {
  const direct = inReplyTo !== null ? ours.get(inReplyTo) : undefined;
  if (direct) {
    return direct;
  }
  for (let i = references.length - 1; i >= 0; i--) {
    const found = ours.get(references[i] ?? '');
    if (found) {
      return found;
    }
  }
  return null;
}

export function replySeconds(replySentAt: string | null, ourSentAt: string | null): number | null {
  if (replySentAt === null || ourSentAt === null) {
    return null;
  }
  const ms = Date.parse(replySentAt) - Date.parse(ourSentAt);
  // A reply dated before our message is clock skew between the two senders, not a negative delay.
  return Number.isNaN(ms) ? null : Math.max(0, Math.round(ms / 1000));
}

/** The replies among the candidates, one per logical email (the first copy by email id). */
export function detectReplies(
  candidates: readonly ReplyCandidate[],
  ours: ReadonlyMap<string, OurMessage>,
): DetectedReply[] {
  const byLogical = new Map<string, DetectedReply>();
  const sorted = [...candidates].sort((a, b) => a.emailId.localeCompare(b.emailId));
  for (const c of sorted) {
    if (byLogical.has(c.logicalKey) || !mayCountAsReply(c) || c.sender === null) {
      continue;
    }
    const answered = answeredMessage(c.inReplyTo, c.references, ours);
    if (answered) {
      byLogical.set(c.logicalKey, {
        reply: c,
        sender: c.sender,
        answered,
        replySeconds: replySeconds(c.sentAt, answered.sentAt),
        key: activityKey('EMAIL_REPLIED', c.sender.personId, c.logicalKey),
      });
    }
  }
  return [...byLogical.values()];
}
