import { z } from 'zod';
import { jsonb, queryRow, queryRows, run, type Db } from '../sql.ts';

/**
 * Tracking tokens and engagement hits (issue 13). A sender stores a message's tokens in one
 * statement (`insertTrackingTokens`); the public pixel and click endpoints read one token with
 * everything classifying and logging a hit needs (`findTrackingToken`, one primary-key lookup
 * with bounded index scans for a click's context) and store hits in batches (`insertEngagementHits`).
 */

export type TrackingKind = 'open' | 'click';
export type Attribution = 'single' | 'ambiguous';

export interface TrackingTokenInput {
  /** The token's random part, 32 hex characters (`VerifiedToken.tokenId`). */
  tokenId: string;
  kind: TrackingKind;
  /** The original URL of a click token; null for the open token. */
  url: string | null;
  /** The recipient an engagement is attributed to (lowercased on insert), or null. */
  recipient: string | null;
  attribution: Attribution;
}

/** Stores a message's tokens (its pixel and its links) in one statement. */
export async function insertTrackingTokens(
  db: Db,
  workspaceId: string,
  emailId: string,
  tokens: readonly TrackingTokenInput[],
  createdAt?: Date,
): Promise<void> {
  if (tokens.length === 0) {
    return;
  }
  await run(
    db,
    `insert into tracking_token (token_id, workspace_id, email_id, kind, url, recipient,
       attribution, created_at)
     select r.token_id, ?, ?, r.kind, r.url, lower(r.recipient), r.attribution,
            coalesce(?::timestamptz, now())
       from jsonb_to_recordset(?::jsonb) as r(token_id text, kind text, url text, recipient text,
         attribution text)
     on conflict (token_id) do nothing`,
    [
      workspaceId,
      emailId,
      createdAt?.toISOString() ?? null,
      jsonb(
        tokens.map((t) => ({
          token_id: t.tokenId,
          kind: t.kind,
          url: t.url,
          recipient: t.recipient,
          attribution: t.attribution,
        })),
      ),
    ],
  );
}

/** A stored token with the message facts an engagement's activity and event carry. */
export interface TrackingTokenContext {
  tokenId: string;
  workspaceId: string;
  kind: TrackingKind;
  url: string | null;
  recipient: string | null;
  attribution: Attribution;
  /** When the message was sent (its `sent_at`, else when its tokens were stored). */
  sentAt: Date;
  email: {
    emailId: string;
    mailboxId: string;
    mailboxEmail: string;
    internetMessageId: string | null;
    threadKey: string;
    logicalKey: string;
    subject: string;
    sentAt: string | null;
  };
  /** The recipient's CRM person on this message, when linked. */
  person: { personId: string; companyId: string | null; companyDomain: string | null } | null;
  /** Click tokens only: the message's distinct tracked links and its clicks of the last window. */
  linksInMessage: number;
  recentClicks: { at: Date; url: string }[];
}

const contextRow = z.object({
  token_id: z.string(),
  workspace_id: z.string(),
  kind: z.enum(['open', 'click']),
  url: z.string().nullable(),
  recipient: z.string().nullable(),
  attribution: z.enum(['single', 'ambiguous']),
  sent_at_effective: z.string(),
  email_id: z.string(),
  mailbox_id: z.string(),
  mailbox_email: z.string(),
  internet_message_id: z.string().nullable(),
  thread_key: z.string(),
  logical_key: z.string(),
  subject: z.string(),
  sent_at: z.string().nullable(),
  person_id: z.string().nullable(),
  company_id: z.string().nullable(),
  company_domain: z.string().nullable(),
  links_in_message: z.number(),
  recent_clicks: z.array(z.object({ at: z.string(), url: z.string() })),
});

/**
 * The token `tokenId` with its message, or null. `recentSince` bounds the clicks returned (the
 * click-burst window); an open token reads no clicks.
 */
export async function findTrackingToken(
  db: Db,
  tokenId: string,
  recentSince: Date,
): Promise<TrackingTokenContext | null> {
  const r = await queryRow(
    db,
    contextRow,
    `select t.token_id, t.workspace_id, t.kind, t.url, t.recipient, t.attribution,
            to_json(coalesce(e.sent_at, t.created_at)) #>> '{}' as sent_at_effective,
            e.id as email_id, e.mailbox_id, m.email as mailbox_email, e.internet_message_id,
            e.thread_key, e.logical_key, e.subject, to_json(e.sent_at) #>> '{}' as sent_at,
            ep.person_id, ep.company_id, c.domain as company_domain,
            case when t.kind = 'click' then
              (select count(*)::int from tracking_token l
                where l.email_id = t.email_id and l.kind = 'click')
            else 0 end as links_in_message,
            case when t.kind = 'click' then
              coalesce((select jsonb_agg(jsonb_build_object('at', to_json(h.at) #>> '{}', 'url', h.url))
                 from engagement_hit h
                where h.email_id = t.email_id and h.kind = 'click' and h.at >= ?::timestamptz), '[]'::jsonb)
            else '[]'::jsonb end as recent_clicks
       from tracking_token t
       join email e on e.id = t.email_id
       join mailbox m on m.id = e.mailbox_id
       left join lateral (
         select p.person_id, p.company_id from email_participant p
          where p.email_id = t.email_id and p.address = t.recipient and p.person_id is not null
          order by p.position limit 1) ep on true
       left join company c on c.id = ep.company_id
      where t.token_id = ?`,
    [recentSince.toISOString(), tokenId],
  );
  if (!r) {
    return null;
  }
  return {
    tokenId: r.token_id,
    workspaceId: r.workspace_id,
    kind: r.kind,
    url: r.url,
    recipient: r.recipient,
    attribution: r.attribution,
    sentAt: new Date(r.sent_at_effective),
    email: {
      emailId: r.email_id,
      mailboxId: r.mailbox_id,
      mailboxEmail: r.mailbox_email,
      internetMessageId: r.internet_message_id,
      threadKey: r.thread_key,
      logicalKey: r.logical_key,
      subject: r.subject,
      sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    },
    person:
      r.person_id === null
        ? null
        : { personId: r.person_id, companyId: r.company_id, companyDomain: r.company_domain },
    linksInMessage: r.links_in_message,
    recentClicks: r.recent_clicks.map((c) => ({ at: new Date(c.at), url: c.url })),
  };
}

const recentClickRow = z.object({ email_id: z.string(), at: z.string(), url: z.string() });

/**
 * The clicks of several messages at or after `since` (the click-burst window), any
 * classification, by message: what `findTrackingToken` reads as `recentClicks`, for tokens whose
 * other facts are already known. One statement for all (concurrent clicks share it).
 */
export async function findRecentClicks(
  db: Db,
  emailIds: readonly string[],
  since: Date,
): Promise<Map<string, { at: Date; url: string }[]>> {
  const rows = await queryRows(
    db,
    recentClickRow,
    `select email_id, to_json(at) #>> '{}' as at, url from engagement_hit
      where email_id in (select e::uuid from jsonb_array_elements_text(?::jsonb) e)
        and kind = 'click' and at >= ?::timestamptz and url is not null`,
    [jsonb(emailIds), since.toISOString()],
  );
  const byEmail = new Map<string, { at: Date; url: string }[]>();
  for (const r of rows) {
    byEmail.set(r.email_id, [
      ...(byEmail.get(r.email_id) ?? []),
      { at: new Date(r.at), url: r.url },
    ]);
  }
  return byEmail;
}

export interface EngagementHitInput {
  workspaceId: string;
  tokenId: string;
  emailId: string;
  kind: TrackingKind;
  url: string | null;
  ip: string;
  userAgent: string | null;
  method: string;
  classification: 'human' | 'machine';
  reason: string | null;
  at: Date;
}

/**
 * Stores hits, raw, with their classification, in one statement (the hit writer's batch), in
 * the order given: `id` follows it, so hits of one instant read back in arrival order.
 */
export async function insertEngagementHits(
  db: Db,
  hits: readonly EngagementHitInput[],
): Promise<void> {
  if (hits.length === 0) {
    return;
  }
  await run(
    db,
    `insert into engagement_hit (workspace_id, token_id, email_id, kind, url, ip, user_agent,
       method, classification, reason, at)
     select r.workspace_id, r.token_id, r.email_id, r.kind, r.url, r.ip, r.user_agent, r.method,
            r.classification, r.reason, r.at
       from rows from (jsonb_to_recordset(?::jsonb) as (workspace_id uuid, token_id text,
         email_id uuid, kind text, url text, ip text, user_agent text, method text,
         classification text, reason text, at timestamptz)) with ordinality
         as r(workspace_id, token_id, email_id, kind, url, ip, user_agent, method, classification,
           reason, at, n)
      order by r.n`,
    [
      jsonb(
        hits.map((h) => ({
          workspace_id: h.workspaceId,
          token_id: h.tokenId,
          email_id: h.emailId,
          kind: h.kind,
          url: h.url,
          ip: h.ip,
          user_agent: h.userAgent,
          method: h.method,
          classification: h.classification,
          reason: h.reason,
          at: h.at.toISOString(),
        })),
      ),
    ],
  );
}

/** Stores one hit (a batch of one: seeding, tests). */
export async function insertEngagementHit(db: Db, hit: EngagementHitInput): Promise<void> {
  await insertEngagementHits(db, [hit]);
}

/** A stored hit as `listEngagementHits` reads it back. */
export type StoredHit = Omit<EngagementHitInput, 'workspaceId' | 'emailId' | 'at'>;

const hitRow = z.object({
  token_id: z.string(),
  kind: z.enum(['open', 'click']),
  url: z.string().nullable(),
  ip: z.string(),
  user_agent: z.string().nullable(),
  method: z.string(),
  classification: z.enum(['human', 'machine']),
  reason: z.string().nullable(),
});

/** A message's hits, oldest first. */
export async function listEngagementHits(db: Db, emailId: string): Promise<StoredHit[]> {
  const rows = await queryRows(
    db,
    hitRow,
    `select token_id, kind, url, ip, user_agent, method, classification, reason
       from engagement_hit where email_id = ? order by at, id`,
    [emailId],
  );
  return rows.map((r) => ({
    tokenId: r.token_id,
    kind: r.kind,
    url: r.url,
    ip: r.ip,
    userAgent: r.user_agent,
    method: r.method,
    classification: r.classification,
    reason: r.reason,
  }));
}

/**
 * Lets a hit batch's transaction commit without waiting for its WAL flush
 * (`synchronous_commit = off`, this transaction only). A hit is answered once its batch commits;
 * the flush is what bounded the batch rate (about 20 % more hits a second in `bench tracking`).
 * What it risks is narrow: a PostgreSQL crash (not an app crash) may lose the last few hundred
 * milliseconds of committed batches, each whole (hit, activity and event together), never
 * half of one, and the database stays consistent.
 */
export async function relaxHitBatchDurability(tx: Db): Promise<void> {
  await run(tx, 'set local synchronous_commit = off');
}
