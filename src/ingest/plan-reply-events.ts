import type { DetectedBounce } from '../crm/bounce-rules.ts';
import type { EmailFacts } from '../crm/email-facts.ts';
import type { DetectedReply } from '../crm/reply-rules.ts';
import type { DomainEvent } from '../events/catalog.ts';

/**
 * `email.replied` and `email.bounced` for what the writer detected now, as pure functions. Each
 * is about the message that carries the news (the reply, the delivery report), so `emailId` and
 * `internetMessageId` are that message's, and names our message it answers or reports on.
 */
function base(facts: EmailFacts, personEmail: string | null, companyDomain: string | null) {
  return {
    emailId: facts.emailId,
    mailboxId: facts.mailboxId,
    mailboxEmail: facts.mailboxEmail,
    internetMessageId: facts.internetMessageId,
    threadKey: facts.threadKey,
    subject: facts.subject,
    sentAt: facts.sentAt,
    personEmail,
    companyDomain,
  };
}

/** One per reply message (logical email) in the workspace. */
export function replyEvents(workspaceId: string, replies: readonly DetectedReply[]): DomainEvent[] {
  return replies.map((r) => ({
    type: 'email.replied',
    workspaceId,
    aggregateId: r.reply.emailId,
    occurrence: r.reply.logicalKey,
    data: {
      ...base(r.reply.facts, r.sender.address, r.sender.companyDomain),
      inReplyToInternetMessageId: r.answered.internetMessageId,
      inReplyToEmailId: r.answered.emailId,
      replySeconds: r.replySeconds,
    },
  }));
}

/** One per delivery report (logical email) and failed recipient. */
export function bounceEvents(
  workspaceId: string,
  bounces: readonly DetectedBounce[],
): DomainEvent[] {
  return bounces.map((b) => ({
    type: 'email.bounced',
    workspaceId,
    aggregateId: b.bounce.emailId,
    occurrence: b.occurrence,
    data: {
      ...base(b.bounce.facts, b.person ? b.address : null, b.person?.companyDomain ?? null),
      bouncedInternetMessageId: b.bounce.original.internetMessageId,
      bouncedEmailId: b.bounce.original.emailId,
      recipient: b.recipient,
      status: b.status,
    },
  }));
}
