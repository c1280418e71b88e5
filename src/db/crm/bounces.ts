import { isoOrNull } from '../columns.ts';
import { z } from 'zod';
import {
  bounceAddresses,
  detectBounces,
  type BouncePerson,
  type DetectedBounce,
  type StoredBounce,
} from '../../crm/bounce-rules.ts';
import type { BounceReport } from '../../mail/bounce/bounce-report.ts';
import { jsonb, queryRows, run, type Db } from '../sql.ts';
import { insertActivities } from './activities.ts';

/**
 * Logs the bounces that the emails just stored complete: delivery reports among them that name
 * one of our outbound messages, and reports already stored that name an outbound message among
 * them (the report synced first). Writes EMAIL_BOUNCED for the person whose address failed and
 * marks that address as bouncing. Runs under the workspace lock, after people are created (our
 * message's recipients become people in the same transaction). Returns every failed recipient
 * found now (its `email.bounced` event dedupes on `occurrence`) and how many activities it created.
 */
export interface LoggedBounces {
  detected: DetectedBounce[];
  activitiesCreated: number;
}

const ReportSchema = z.object({
  kind: z.enum(['dsn', 'exchange-ndr', 'gmail-dsn', 'text-ndr']),
  recipients: z.array(
    z.object({
      recipient: z.string(),
      originalRecipient: z.string().nullable(),
      action: z.enum(['failed', 'delayed', 'delivered', 'relayed', 'expanded']).nullable(),
      status: z.string().nullable(),
      diagnosticCode: z.string().nullable(),
      remoteMta: z.string().nullable(),
    }),
  ),
  originalMessageId: z.string().nullable(),
  reportingMta: z.string().nullable(),
}) satisfies z.ZodType<BounceReport>;

const PairRow = z.object({
  email_id: z.string(),
  mailbox_id: z.string(),
  mailbox_email: z.string(),
  internet_message_id: z.string().nullable(),
  logical_key: z.string(),
  thread_key: z.string(),
  subject: z.string(),
  sent_at: z.string().nullable(),
  occurred_at: z.string(),
  bounce: ReportSchema,
  original_id: z.string(),
  original_message_id: z.string(),
  original_sent_at: z.string().nullable(),
});

const PersonRow = z.object({
  email: z.string(),
  person_id: z.string(),
  company_id: z.string().nullable(),
  company_domain: z.string().nullable(),
});

// Each report with our outbound copy of the message it names (the earliest sent, then lowest id).
const PAIRS = `
  with given as (select jsonb_array_elements_text(?::jsonb)::uuid as id),
  candidate as (
    select e.id from email e where e.id in (select id from given) and e.bounce is not null
    union
    select b.id from email o
      join email b on b.workspace_id = o.workspace_id and b.bounce is not null
       and (b.bounce->>'originalMessageId') = o.internet_message_id
     where o.id in (select id from given) and o.direction = 'outbound'
       and o.internet_message_id is not null)
  select distinct on (b.id)
         b.id as email_id, b.mailbox_id, m.email as mailbox_email, b.internet_message_id,
         b.logical_key, b.thread_key, b.subject, to_json(b.sent_at) #>> '{}' as sent_at,
         coalesce(b.sent_at, b.created_at)::text as occurred_at, b.bounce,
         o.id as original_id, o.internet_message_id as original_message_id,
         to_json(o.sent_at) #>> '{}' as original_sent_at
    from email b
    join mailbox m on m.id = b.mailbox_id
    join email o on o.workspace_id = b.workspace_id and o.direction = 'outbound'
     and o.internet_message_id = (b.bounce->>'originalMessageId')
   where b.id in (select id from candidate) and b.workspace_id = ? and b.direction = 'inbound'
   order by b.id, o.sent_at nulls last, o.id`;

const PEOPLE = `
  select pe.email, pe.person_id, p.company_id, c.domain as company_domain
    from person_email pe join person p on p.id = pe.person_id
    left join company c on c.id = p.company_id
   where pe.workspace_id = ? and pe.email in (select jsonb_array_elements_text(?::jsonb))`;

function toStored(r: z.infer<typeof PairRow>): StoredBounce {
  return {
    emailId: r.email_id,
    logicalKey: r.logical_key,
    occurredAt: r.occurred_at,
    report: r.bounce,
    original: {
      emailId: r.original_id,
      internetMessageId: r.original_message_id,
      sentAt: isoOrNull(r.original_sent_at),
    },
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

export async function logBounces(
  tx: Db,
  workspaceId: string,
  emailIds: readonly string[],
): Promise<LoggedBounces> {
  const none = { detected: [], activitiesCreated: 0 };
  if (emailIds.length === 0) {
    return none;
  }
  const bounces = (await queryRows(tx, PairRow, PAIRS, [jsonb(emailIds), workspaceId])).map(
    toStored,
  );
  if (bounces.length === 0) {
    return none;
  }
  const people = new Map<string, BouncePerson>(
    (await queryRows(tx, PersonRow, PEOPLE, [workspaceId, jsonb(bounceAddresses(bounces))])).map(
      (r) => [
        r.email,
        { personId: r.person_id, companyId: r.company_id, companyDomain: r.company_domain },
      ],
    ),
  );
  const detected = detectBounces(bounces, people);
  const withPerson = detected.flatMap((d) =>
    d.person !== null && d.key !== null ? [{ ...d, person: d.person, key: d.key }] : [],
  );
  const created = await insertActivities(
    tx,
    workspaceId,
    withPerson.map((d) => ({
      type: 'EMAIL_BOUNCED',
      personId: d.person.personId,
      companyId: d.person.companyId,
      emailId: d.bounce.emailId,
      calendarEventId: null,
      internetMessageId: d.bounce.facts.internetMessageId,
      icalUid: null,
      occurredAt: d.bounce.occurredAt,
      key: d.key,
      companyFromPerson: false,
      related: {
        emailId: d.bounce.original.emailId,
        internetMessageId: d.bounce.original.internetMessageId,
        replySeconds: null,
        bounceRecipient: d.recipient,
        bounceStatus: d.status,
      },
    })),
  );
  await markBouncing(
    tx,
    workspaceId,
    withPerson.filter((d) => created.has(d.key)),
  );
  return { detected, activitiesCreated: created.size };
}

/** The address's latest bounce wins; an older report synced late does not overwrite it. */
async function markBouncing(
  tx: Db,
  workspaceId: string,
  bounces: readonly DetectedBounce[],
): Promise<void> {
  if (bounces.length === 0) {
    return;
  }
  await run(
    tx,
    `update person_email pe set bounced_at = r.at, bounce_status = r.status
       from (select distinct on (x.email) x.email, x.at, x.status
               from jsonb_to_recordset(?::jsonb) as x(email text, at timestamptz, status text)
              order by x.email, x.at desc) r
      where pe.workspace_id = ? and pe.email = r.email
        and (pe.bounced_at is null or pe.bounced_at <= r.at)`,
    [
      jsonb(bounces.map((d) => ({ email: d.address, at: d.bounce.occurredAt, status: d.status }))),
      workspaceId,
    ],
  );
}
