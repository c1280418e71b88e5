import { z } from 'zod';

/**
 * Every domain event Mailroom announces, one zod schema per type for its `data`. This is the
 * webhook and event-feed contract of product.md ("Domain events out"): a consumer can rely on
 * every field listed here. Types that nothing writes yet (tracking, mailbox connect/disconnect)
 * are declared now so their writers only have to fill them in.
 */
// Any 8-4-4-4-12 id: ids are uuid v5 or random, and older activity ids are md5-shaped.
const uuid = z.guid();
const isoTime = z.string();

const personCreated = z.object({ personId: uuid, email: z.string() });
const companyCreated = z.object({ companyId: uuid, domain: z.string() });

/** What every `email.*` event carries (product.md: "data of every email.* event has at least"). */
const emailBase = z.object({
  emailId: uuid,
  mailboxId: uuid,
  mailboxEmail: z.string(),
  internetMessageId: z.string().nullable(),
  threadKey: z.string(),
  subject: z.string(),
  sentAt: isoTime.nullable(),
  /** The CRM person the event is about, or null. */
  personEmail: z.string().nullable(),
  companyDomain: z.string().nullable(),
});
/** About the reply; `personEmail` is its sender. */
const emailReplied = emailBase.extend({
  inReplyToInternetMessageId: z.string(),
  inReplyToEmailId: uuid,
  /** Seconds from our message to the reply (null when either has no date). */
  replySeconds: z.number().int().nonnegative().nullable(),
});
/** About the delivery report; `personEmail` is the person whose address failed, or null. */
const emailBounced = emailBase.extend({
  bouncedInternetMessageId: z.string(),
  bouncedEmailId: uuid,
  recipient: z.string(),
  /** RFC 3463 enhanced status (`5.1.1`); null when the report gives no code. */
  status: z.string().nullable(),
});
const emailOpened = emailBase.extend({ userAgent: z.string().nullable() });
const emailClicked = emailOpened.extend({ url: z.string() });

const meeting = z.object({
  calendarEventId: uuid,
  mailboxId: uuid,
  personId: uuid,
  iCalUid: z.string().nullable(),
  occurredAt: isoTime,
});

const mailboxBase = z.object({ mailboxId: uuid, email: z.string(), provider: z.string() });
const mailboxReauthRequired = mailboxBase.extend({ reason: z.string() });

export const EVENT_DATA = {
  'person.created': personCreated,
  'company.created': companyCreated,
  'email.received': emailBase,
  'email.sent': emailBase,
  'email.replied': emailReplied,
  'email.bounced': emailBounced,
  'email.opened': emailOpened,
  'email.clicked': emailClicked,
  'meeting.scheduled': meeting,
  'meeting.updated': meeting,
  'meeting.cancelled': meeting,
  'mailbox.connected': mailboxBase,
  'mailbox.reauth_required': mailboxReauthRequired,
  'mailbox.disconnected': mailboxBase,
} as const satisfies Record<string, z.ZodType>;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/** The record an event is about; stored as the outbox row's aggregate. */
export type AggregateType = 'person' | 'company' | 'email' | 'calendar_event' | 'mailbox';

export const AGGREGATE_OF: Record<EventType, AggregateType> = {
  'person.created': 'person',
  'company.created': 'company',
  'email.received': 'email',
  'email.sent': 'email',
  'email.replied': 'email',
  'email.bounced': 'email',
  'email.opened': 'email',
  'email.clicked': 'email',
  'meeting.scheduled': 'calendar_event',
  'meeting.updated': 'calendar_event',
  'meeting.cancelled': 'calendar_event',
  'mailbox.connected': 'mailbox',
  'mailbox.reauth_required': 'mailbox',
  'mailbox.disconnected': 'mailbox',
};

/**
 * One event to append. `occurrence` says what makes it happen once within its workspace (a
 * person id, a logical email, an activity key, a credential version); the outbox dedupes on
 * `dedupeKey(event)`, so the same occurrence announced twice (a retry, a second mailbox) is one row.
 */
export type DomainEvent = {
  [T in EventType]: {
    type: T;
    workspaceId: string;
    aggregateId: string;
    occurrence: string;
    data: z.infer<(typeof EVENT_DATA)[T]>;
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** The one dedupe-key rule for every outbox row. */
export const dedupeKey = (
  event: Pick<DomainEvent, 'type' | 'workspaceId' | 'occurrence'>,
): string => `${event.type}:${event.workspaceId}:${event.occurrence}`;

/** Checks an event's data against its type's schema, so a writer cannot drift from the contract. */
export function checkEvent(event: DomainEvent): DomainEvent {
  EVENT_DATA[event.type].parse(event.data);
  return event;
}
