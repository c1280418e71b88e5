import { createHash } from 'node:crypto';
import { activityKey } from '../crm/activity-keys.ts';
import { insertActivities, type ActivityInput } from '../db/crm/activities.ts';
import { appendEvents } from '../db/outbox.ts';
import {
  insertEngagementHits,
  relaxHitBatchDurability,
  type EngagementHitInput,
  type TrackingTokenContext,
} from '../db/repositories/tracking.repository.ts';
import type { Db } from '../db/sql.ts';
import { lockWorkspace } from '../db/workspace-lock.ts';
import { dedupeKey, type DomainEvent } from '../events/catalog.ts';

/**
 * Writes a batch of classified hits in the caller's transaction: every hit raw (one multi-row
 * insert), and for the human ones the activity and the event (dedupe in record-hit.ts's header:
 * activities by their idempotency key, events only for activities created now, and for a
 * recipient with no CRM person by the outbox's dedupe key). Two human opens of one message in one
 * batch are one activity and one event, as they would be one after the other; the first in
 * arrival order wins (its user agent is the event's).
 */
export interface QueuedHit {
  stored: EngagementHitInput;
  /** A human hit: what its activity and event are made of. */
  human: { token: TrackingTokenContext; userAgent: string | null } | null;
}

const hashUrl = (url: string): string =>
  createHash('sha256').update(url).digest('hex').slice(0, 32);

interface Engagement {
  token: TrackingTokenContext;
  userAgent: string | null;
  at: Date;
  type: 'EMAIL_CLICKED' | 'EMAIL_OPENED';
  click: boolean;
  /** The activity's key (a CRM person) or the occurrence the event dedupes on (none). */
  occurrence: string;
  activity: ActivityInput | null;
}

function engagementOf(hit: QueuedHit): Engagement | null {
  const human = hit.human;
  const recipient = human?.token.recipient ?? null;
  if (human === null || recipient === null) {
    return null;
  }
  const { token, userAgent } = human;
  const at = hit.stored.at;
  const click = token.kind === 'click' && token.url !== null;
  const linkSuffix = click && token.url !== null ? `:${hashUrl(token.url)}` : '';
  const type = click ? 'EMAIL_CLICKED' : 'EMAIL_OPENED';
  if (!token.person) {
    const occurrence = `${token.email.logicalKey}:${recipient}${linkSuffix}`;
    return { token, userAgent, at, type, click, occurrence, activity: null };
  }
  const key = activityKey(type, token.person.personId, token.email.logicalKey, linkSuffix);
  const activity: ActivityInput = {
    type,
    personId: token.person.personId,
    companyId: token.person.companyId,
    emailId: token.email.emailId,
    calendarEventId: null,
    internetMessageId: token.email.internetMessageId,
    icalUid: null,
    occurredAt: at.toISOString(),
    key,
    companyFromPerson: false,
  };
  return { token, userAgent, at, type, click, occurrence: key, activity };
}

function eventOf(g: Engagement): DomainEvent {
  const { token, userAgent } = g;
  const e = token.email;
  const data = {
    emailId: e.emailId,
    mailboxId: e.mailboxId,
    mailboxEmail: e.mailboxEmail,
    internetMessageId: e.internetMessageId,
    threadKey: e.threadKey,
    subject: e.subject,
    sentAt: e.sentAt,
    personEmail: token.person ? token.recipient : null,
    companyDomain: token.person?.companyDomain ?? null,
    userAgent,
  };
  return g.click && token.url !== null
    ? {
        type: 'email.clicked',
        workspaceId: token.workspaceId,
        aggregateId: e.emailId,
        occurrence: g.occurrence,
        data: { ...data, url: token.url },
      }
    : {
        type: 'email.opened',
        workspaceId: token.workspaceId,
        aggregateId: e.emailId,
        occurrence: g.occurrence,
        data,
      };
}

/** Groups items by a key, keeping the first occurrence's order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

export async function writeHitBatch(tx: Db, hits: readonly QueuedHit[]): Promise<void> {
  await relaxHitBatchDurability(tx);
  const engagements = hits.map(engagementOf).filter((g) => g !== null);
  // CRM writes are serialised per workspace (workspace-lock.ts); a batch takes each workspace's
  // lock once, in one fixed order, so two transactions never wait on each other in a cycle.
  const byWorkspace = groupBy(engagements, (g) => g.token.workspaceId);
  for (const workspaceId of [...byWorkspace.keys()].sort()) {
    await lockWorkspace(tx, workspaceId);
  }
  await insertEngagementHits(
    tx,
    hits.map((h) => h.stored),
  );
  const events: DomainEvent[] = [];
  const announced = new Set<string>();
  for (const [workspaceId, group] of byWorkspace) {
    const activities = group.flatMap((g) => (g.activity ? [g.activity] : []));
    // Keys repeated in the batch are inserted once (the first) and created at most once.
    const firstOfKey = [...groupBy(activities, (a) => a.key).values()].flatMap((a) => a[0] ?? []);
    const created = await insertActivities(tx, workspaceId, firstOfKey);
    for (const g of group) {
      const event = eventOf(g);
      const key = dedupeKey(event);
      if ((g.activity === null || created.has(g.activity.key)) && !announced.has(key)) {
        announced.add(key);
        events.push(event);
      }
    }
  }
  await appendEvents(tx, events);
}
