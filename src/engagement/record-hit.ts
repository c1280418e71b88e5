import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { activityKey } from '../crm/activity-keys.ts';
import type { Config } from '../config.ts';
import { insertActivities } from '../db/crm/activities.ts';
import { appendEvents } from '../db/outbox.ts';
import {
  findTrackingToken,
  insertEngagementHit,
  type TrackingTokenContext,
} from '../db/repositories/tracking.repository.ts';
import type { Db } from '../db/sql.ts';
import { lockWorkspace } from '../db/workspace-lock.ts';
import type { DomainEvent } from '../events/catalog.ts';
import { createHitClassifier, type Classification } from '../tracking/classify-hit.ts';
import {
  clientAddress,
  createTrustedProxies,
  type TrustedProxies,
} from '../tracking/client-address.ts';
import { createIpRangeMatcher, loadIpRangeFiles } from '../tracking/ip-ranges.ts';
import {
  createTrackingSigner,
  type TrackingKind,
  type TrackingSigner,
} from '../tracking/tracking-token.ts';

/**
 * Records one hit on a tracking pixel or link (product.md, "Sending and tracking"): verify the
 * token's signature (no lookup for a forged one), read the stored token (one primary-key lookup),
 * classify the hit, store it raw, and for a human hit log the activity and announce the event.
 *
 * Dedupe: `EMAIL_OPENED` once per message and recipient, `EMAIL_CLICKED` once per message,
 * recipient and link, by their activity keys (the activity table's unique idempotency key); the
 * events follow the activity (announced only when it was created now) and, for a recipient with
 * no CRM person, the outbox's dedupe key on the same occurrence.
 */

/** Shipped range lists of image proxies and mail scanners (never downloaded at run time). */
export const IP_RANGES_DIR = fileURLToPath(
  new URL('../../data/tracking-ip-ranges', import.meta.url),
);

/** A stored user agent is cut here: enough for any real one, bounded for a hostile one. */
const MAX_USER_AGENT_CHARS = 1024;
/** The click-burst window (classify-hit.ts default). */
const BURST_SECONDS = 5;

export interface HitRequest {
  kind: TrackingKind;
  token: string;
  method: string;
  userAgent: string | undefined;
  socketAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  at?: Date;
}

export interface HitOutcome {
  /** Whether the token verified and was found (a hit was stored). */
  known: boolean;
  /** A click's redirect target: exactly the stored URL. */
  url: string | null;
  classification: Classification | null;
}

export interface HitRecorder {
  record(db: TransactionalDb, hit: HitRequest): Promise<HitOutcome>;
}

/** A connection that can also open a transaction (an EntityManager fork). */
export interface TransactionalDb extends Db {
  transactional<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

export interface RecorderOptions {
  keys: Config['tracking']['keys'];
  trustedProxies: readonly string[];
  /** Where the IP range lists are (tests may give another folder). */
  ipRangesDir?: string;
}

const UNKNOWN: HitOutcome = { known: false, url: null, classification: null };

const hashUrl = (url: string): string =>
  createHash('sha256').update(url).digest('hex').slice(0, 32);

export function createHitRecorder(options: RecorderOptions): HitRecorder {
  const [current, ...previous] = options.keys;
  const signer: TrackingSigner | null = current
    ? createTrackingSigner({ current, previous })
    : null;
  const trusted: TrustedProxies = createTrustedProxies(options.trustedProxies);
  const classify = createHitClassifier({
    matchIp: createIpRangeMatcher(loadIpRangeFiles(options.ipRangesDir ?? IP_RANGES_DIR)),
    burstSeconds: BURST_SECONDS,
  });

  return {
    async record(db, hit) {
      const verified = signer?.verify(hit.token) ?? null;
      // An open token is never accepted as a click token, nor the reverse.
      if (!verified || verified.kind !== hit.kind) {
        return UNKNOWN;
      }
      const at = hit.at ?? new Date();
      const token = await findTrackingToken(
        db,
        verified.tokenId,
        new Date(at.getTime() - BURST_SECONDS * 1000),
      );
      if (!token || token.kind !== hit.kind) {
        return UNKNOWN;
      }
      const ip = clientAddress(hit.socketAddress, hit.forwardedFor, trusted);
      const userAgent = hit.userAgent?.slice(0, MAX_USER_AGENT_CHARS) ?? null;
      const classification = classify({
        kind: token.kind,
        method: hit.method,
        userAgent,
        ip,
        at,
        sentAt: token.sentAt,
        ...(token.url === null ? {} : { url: token.url }),
        recentClicks: token.recentClicks,
        linksInMessage: token.linksInMessage,
      });
      const stored = {
        workspaceId: token.workspaceId,
        tokenId: token.tokenId,
        emailId: token.email.emailId,
        kind: token.kind,
        url: token.url,
        ip,
        userAgent,
        method: hit.method.toUpperCase(),
        classification: classification.classification,
        reason: classification.reason,
        at,
      };
      if (classification.classification === 'machine') {
        await insertEngagementHit(db, stored);
      } else {
        await db.transactional(async (tx) => {
          await lockWorkspace(tx, token.workspaceId);
          await insertEngagementHit(tx, stored);
          await logHumanEngagement(tx, token, userAgent, at);
        });
      }
      return { known: true, url: token.url, classification };
    },
  };
}

/** The activity and the event of a human open or click (dedupe in the header comment). */
async function logHumanEngagement(
  tx: Db,
  token: TrackingTokenContext,
  userAgent: string | null,
  at: Date,
): Promise<void> {
  const recipient = token.recipient;
  if (recipient === null) {
    return;
  }
  const click = token.kind === 'click' && token.url !== null;
  const linkSuffix = click && token.url !== null ? `:${hashUrl(token.url)}` : '';
  const type = click ? 'EMAIL_CLICKED' : 'EMAIL_OPENED';
  let announce = true;
  let occurrence = `${token.email.logicalKey}:${recipient}${linkSuffix}`;
  if (token.person) {
    const key = activityKey(type, token.person.personId, token.email.logicalKey, linkSuffix);
    const created = await insertActivities(tx, token.workspaceId, [
      {
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
      },
    ]);
    announce = created.has(key);
    occurrence = key;
  }
  if (!announce) {
    return;
  }
  const e = token.email;
  const data = {
    emailId: e.emailId,
    mailboxId: e.mailboxId,
    mailboxEmail: e.mailboxEmail,
    internetMessageId: e.internetMessageId,
    threadKey: e.threadKey,
    subject: e.subject,
    sentAt: e.sentAt,
    personEmail: token.person ? recipient : null,
    companyDomain: token.person?.companyDomain ?? null,
    userAgent,
  };
  const event: DomainEvent =
    click && token.url !== null
      ? {
          type: 'email.clicked',
          workspaceId: token.workspaceId,
          aggregateId: token.email.emailId,
          occurrence,
          data: { ...data, url: token.url },
        }
      : {
          type: 'email.opened',
          workspaceId: token.workspaceId,
          aggregateId: token.email.emailId,
          occurrence,
          data,
        };
  await appendEvents(tx, [event]);
}
