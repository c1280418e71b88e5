import DataLoader from 'dataloader';
import type { Config } from '../config.ts';
import {
  findRecentClicks,
  findTrackingToken,
  type TrackingTokenContext,
} from '../db/repositories/tracking.repository.ts';
import type { Db } from '../db/sql.ts';
import { recordTrackingHit } from '../observability/metrics.ts';
import { createHitClassifier, type Classification } from '../tracking/classify-hit.ts';
import {
  clientAddress,
  createTrustedProxies,
  type TrustedProxies,
} from '../tracking/client-address.ts';
import {
  createIpRangeMatcher,
  loadIpRangeFiles,
  SHIPPED_IP_RANGES_DIR,
} from '../tracking/ip-ranges.ts';
import {
  createTrackingSigner,
  type TrackingKind,
  type TrackingSigner,
} from '../tracking/tracking-token.ts';
import { createGroupCommit } from './group-commit.ts';
import { createRecentClicks, type RecentClick } from './recent-clicks.ts';
import { createTokenCache } from './token-cache.ts';
import { writeHitBatch, type QueuedHit } from './write-hit-batch.ts';

/**
 * Records one hit on a tracking pixel or link (product.md, "Sending and tracking"): verify the
 * token's signature (no lookup for a forged one), read the stored token (one primary-key lookup),
 * classify the hit, store it raw, and for a human hit log the activity and announce the event.
 * Stores go through a group-commit writer (group-commit.ts, write-hit-batch.ts): a hit waits for
 * its batch's commit, so it is stored before the request is answered, and concurrent hits share
 * one transaction instead of each paying for its own.
 *
 * Dedupe: `EMAIL_OPENED` once per message and recipient, `EMAIL_CLICKED` once per message,
 * recipient and link, by their activity keys (the activity table's unique idempotency key); the
 * events follow the activity (announced only when it was created now) and, for a recipient with
 * no CRM person, the outbox's dedupe key on the same occurrence.
 */

/** A stored user agent is cut here: enough for any real one, bounded for a hostile one. */
const MAX_USER_AGENT_CHARS = 1024;
/** The click-burst window (classify-hit.ts default). */
const BURST_SECONDS = 5;
/** Most hits per transaction: bounds how long a batch holds its workspace locks. */
export const MAX_HIT_BATCH = 500;
/** Tokens whose context is kept (a few KB each), and for how long (token-cache.ts). */
const TOKEN_CACHE_SIZE = 10_000;
const TOKEN_CACHE_TTL_MS = 60_000;

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
  /** Resolves once the hit is stored (or known not to be one); rejects if storing it failed. */
  record(hit: HitRequest): Promise<HitOutcome>;
  /** Waits for every hit being recorded to be stored: the app's shutdown calls it. */
  close(): Promise<void>;
}

/** A connection that can also open a transaction (an EntityManager fork). */
export interface TransactionalDb extends Db {
  transactional<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

export interface RecorderOptions {
  keys: Config['tracking']['keys'];
  trustedProxies: readonly string[];
  /** A fresh connection per use (`() => orm.em.fork()`). */
  db: () => TransactionalDb;
  /** Where the IP range lists are (tests may give another folder). */
  ipRangesDir?: string;
  /** Most hits per transaction (default MAX_HIT_BATCH). */
  maxBatch?: number;
  /** Token contexts kept per process; 0 turns the cache off (default TOKEN_CACHE_SIZE). */
  tokenCacheSize?: number;
}

const UNKNOWN: HitOutcome = { known: false, url: null, classification: null };

export function createHitRecorder(options: RecorderOptions): HitRecorder {
  const [current, ...previous] = options.keys;
  const signer: TrackingSigner | null = current
    ? createTrackingSigner({ current, previous })
    : null;
  const trusted: TrustedProxies = createTrustedProxies(options.trustedProxies);
  const classify = createHitClassifier({
    matchIp: createIpRangeMatcher(loadIpRangeFiles(options.ipRangesDir ?? SHIPPED_IP_RANGES_DIR)),
    burstSeconds: BURST_SECONDS,
  });
  const recentClicks = createRecentClicks(BURST_SECONDS * 1000);
  const writer = createGroupCommit<QueuedHit>({
    maxBatch: options.maxBatch ?? MAX_HIT_BATCH,
    write: (hits) => options.db().transactional((tx) => writeHitBatch(tx, hits)),
  });
  const inFlight = new Set<Promise<unknown>>();
  const tokens = createTokenCache({
    max: options.tokenCacheSize ?? TOKEN_CACHE_SIZE,
    ttlMs: TOKEN_CACHE_TTL_MS,
  });

  // Recent clicks asked for in one turn of the event loop are read with one statement (from the
  // earliest window asked; the classifier keeps each hit's own).
  const clicks = new DataLoader<{ emailId: string; since: Date }, RecentClick[]>(
    async (keys) => {
      const since = new Date(Math.min(...keys.map((k) => k.since.getTime())));
      const byEmail = await findRecentClicks(
        options.db(),
        [...new Set(keys.map((k) => k.emailId))],
        since,
      );
      return keys.map((k) => byEmail.get(k.emailId) ?? []);
    },
    { cache: false, maxBatchSize: MAX_HIT_BATCH, batchScheduleFn: (run) => setImmediate(run) },
  );

  /** The token's context: cached but for its recent clicks, which are always read fresh. */
  const lookup = async (tokenId: string, since: Date): Promise<TrackingTokenContext | null> => {
    const cached = tokens.get(tokenId);
    if (cached === undefined) {
      const token = await findTrackingToken(options.db(), tokenId, since);
      if (token) {
        tokens.set(tokenId, token);
      }
      return token;
    }
    // Opens never use recent clicks, nor does a message with one link (no burst possible).
    const burstPossible = cached.kind === 'click' && cached.linksInMessage >= 2;
    return {
      ...cached,
      recentClicks: burstPossible
        ? await clicks.load({ emailId: cached.email.emailId, since })
        : [],
    };
  };

  const record = async (hit: HitRequest): Promise<HitOutcome> => {
    const verified = signer?.verify(hit.token) ?? null;
    // An open token is never accepted as a click token, nor the reverse.
    if (!verified || verified.kind !== hit.kind) {
      return UNKNOWN;
    }
    const since = new Date((hit.at?.getTime() ?? Date.now()) - BURST_SECONDS * 1000);
    const token = await lookup(verified.tokenId, since);
    if (!token || token.kind !== hit.kind) {
      return UNKNOWN;
    }
    // The hit's time is taken when it is classified, not when it arrived: the burst rule counts
    // the clicks before a hit, and lookups finish in any order, so only this keeps "before" the
    // order in which this process classified them.
    const at = hit.at ?? new Date();
    const ip = clientAddress(hit.socketAddress, hit.forwardedFor, trusted);
    const userAgent = hit.userAgent?.slice(0, MAX_USER_AGENT_CHARS) ?? null;
    // No await from here to `recentClicks.add`: concurrent clicks of one message each see the
    // ones classified before them, queued or not.
    const classification = classify({
      kind: token.kind,
      method: hit.method,
      userAgent,
      ip,
      at,
      sentAt: token.sentAt,
      ...(token.url === null ? {} : { url: token.url }),
      recentClicks: [...token.recentClicks, ...recentClicks.since(token.email.emailId, since)],
      linksInMessage: token.linksInMessage,
    });
    if (token.kind === 'click' && token.url !== null) {
      recentClicks.add(token.email.emailId, { at, url: token.url });
    }
    const human = classification.classification === 'human';
    const stored = writer.submit({
      stored: {
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
      },
      human: human ? { token, userAgent } : null,
    });
    // A hit that could not be stored may be on a token cached but since deleted (with its
    // message): the next hit looks it up again.
    await stored.catch((err: unknown) => {
      tokens.delete(token.tokenId);
      throw err;
    });
    recordTrackingHit(token.kind, classification.classification);
    return { known: true, url: token.url, classification };
  };

  return {
    record(hit) {
      const recording = record(hit);
      const tracked: Promise<void> = recording
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return recording;
    },
    async close() {
      while (inFlight.size > 0) {
        await Promise.all(inFlight);
      }
      await writer.drain();
    },
  };
}
