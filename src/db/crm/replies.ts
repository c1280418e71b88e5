import { isoOrNull } from '../columns.ts';
import { z } from 'zod';
import {
  detectReplies,
  type DetectedReply,
  type OurMessage,
  type ReplyCandidate,
} from '../../crm/reply-rules.ts';
import { jsonb, queryRows, type Db } from '../sql.ts';
import { insertActivities } from './activities.ts';

/**
 * Logs EMAIL_REPLIED for the replies that the emails just stored (or just linked to a person)
 * complete: inbound ones among them that answer a message of ours, and inbound ones already
 * stored that answer an outbound one among them (the reply synced first: another mailbox, Sent
 * synced later, a resync). Runs under the workspace lock, after people and links are written.
 * Returns the replies whose activity was created now: only they may be announced.
 */
const CandidateRow = z.object({
  email_id: z.string(),
  mailbox_id: z.string(),
  mailbox_email: z.string(),
  internet_message_id: z.string().nullable(),
  in_reply_to: z.string().nullable(),
  references: z.array(z.string()),
  logical_key: z.string(),
  thread_key: z.string(),
  subject: z.string(),
  sent_at: z.string().nullable(),
  occurred_at: z.string(),
  crm_skipped: z.boolean(),
  deleted: z.boolean(),
  automation: z
    .object({ bulk: z.boolean(), autoReply: z.boolean(), dsn: z.boolean() })
    .partial()
    .nullable(),
  is_bounce: z.boolean(),
  person_id: z.string().nullable(),
  company_id: z.string().nullable(),
  sender: z.string().nullable(),
  company_domain: z.string().nullable(),
});

const OurRow = z.object({
  id: z.string(),
  internet_message_id: z.string(),
  sent_at: z.string().nullable(),
});

// Times travel as text: ISO (to_json) for event data, and the activity's time with its microseconds.
const CANDIDATES = `
  with given as (select jsonb_array_elements_text(?::jsonb)::uuid as id),
  ours_given as (
    select o.workspace_id, o.internet_message_id from email o
     where o.id in (select id from given) and o.direction = 'outbound'
       and o.internet_message_id is not null),
  -- Two lookups, not one OR, so each uses its index (In-Reply-To b-tree; References GIN, which
  -- a join condition would not use: the ids go in as one array).
  candidate as (
    select e.id from email e where e.id in (select id from given)
    union
    select r.id from ours_given o
      join email r on r.workspace_id = o.workspace_id and r.in_reply_to = o.internet_message_id
    union
    select r.id from email r
     where r."references" && (select array_agg(o.internet_message_id) from ours_given o)
       and r.workspace_id = ?)
  select distinct on (e.id)
         e.id as email_id, e.mailbox_id, m.email as mailbox_email, e.internet_message_id,
         e.in_reply_to, e."references", e.logical_key, e.thread_key, e.subject,
         to_json(e.sent_at) #>> '{}' as sent_at,
         coalesce(e.sent_at, e.created_at)::text as occurred_at,
         e.crm_skip_reason is not null as crm_skipped, e.deleted, e.automation, e.bounce is not null as is_bounce,
         ep.person_id, ep.company_id, ep.address as sender, c.domain as company_domain
    from email e
    join mailbox m on m.id = e.mailbox_id
    left join email_participant ep
      on ep.email_id = e.id and ep.role = 'from' and ep.person_id is not null
    left join company c on c.id = ep.company_id
   where e.id = any(array(select id from candidate)) and e.workspace_id = ?
     and e.direction = 'inbound'
     and (e.in_reply_to is not null or cardinality(e."references") > 0)
   order by e.id, ep.position`;

// Our outbound copy of each named Message-ID: the earliest sent (then the lowest id) of them.
const OURS = `
  select distinct on (e.internet_message_id) e.id, e.internet_message_id,
         to_json(e.sent_at) #>> '{}' as sent_at
    from email e
   where e.workspace_id = ? and e.direction = 'outbound'
     and e.internet_message_id in (select jsonb_array_elements_text(?::jsonb))
   order by e.internet_message_id, e.sent_at nulls last, e.id`;

function toCandidate(r: z.infer<typeof CandidateRow>): ReplyCandidate {
  return {
    emailId: r.email_id,
    logicalKey: r.logical_key,
    inReplyTo: r.in_reply_to,
    references: r.references,
    sentAt: isoOrNull(r.sent_at),
    occurredAt: r.occurred_at,
    crmSkipped: r.crm_skipped,
    deleted: r.deleted,
    automated: {
      bulk: r.automation?.bulk ?? false,
      autoReply: r.automation?.autoReply ?? false,
      dsn: r.automation?.dsn ?? false,
    },
    isBounce: r.is_bounce,
    sender:
      r.person_id !== null && r.sender !== null
        ? {
            personId: r.person_id,
            companyId: r.company_id,
            address: r.sender,
            companyDomain: r.company_domain,
          }
        : null,
    facts: {
      emailId: r.email_id,
      mailboxId: r.mailbox_id,
      mailboxEmail: r.mailbox_email,
      internetMessageId: r.internet_message_id,
      threadKey: r.thread_key,
      subject: r.subject,
      sentAt: isoOrNull(r.sent_at),
    },
  };
}

export async function logReplies(
  tx: Db,
  workspaceId: string,
  emailIds: readonly string[],
): Promise<DetectedReply[]> {
  if (emailIds.length === 0) {
    return [];
  }
  const candidates = (
    await queryRows(tx, CandidateRow, CANDIDATES, [jsonb(emailIds), workspaceId, workspaceId])
  ).map(toCandidate);
  const named = [
    ...new Set(candidates.flatMap((c) => (c.inReplyTo ? [c.inReplyTo] : []).concat(c.references))),
  ];
  if (named.length === 0) {
    return [];
  }
  const ours = new Map<string, OurMessage>(
    (await queryRows(tx, OurRow, OURS, [workspaceId, jsonb(named)])).map((r) => [
      r.internet_message_id,
      { emailId: r.id, internetMessageId: r.internet_message_id, sentAt: isoOrNull(r.sent_at) },
    ]),
  );
  const replies = detectReplies(candidates, ours);
  const created = await insertActivities(
    tx,
    workspaceId,
    replies.map((r) => ({
      type: 'EMAIL_REPLIED',
      personId: r.sender.personId,
      companyId: r.sender.companyId,
      emailId: r.reply.emailId,
      calendarEventId: null,
      internetMessageId: r.reply.facts.internetMessageId,
      icalUid: null,
      occurredAt: r.reply.occurredAt,
      key: r.key,
      companyFromPerson: false,
      related: {
        emailId: r.answered.emailId,
        internetMessageId: r.answered.internetMessageId,
        replySeconds: r.replySeconds,
        bounceRecipient: null,
        bounceStatus: null,
      },
    })),
  );
  return replies.filter((r) => created.has(r.key));
}
