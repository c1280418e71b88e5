import type { EntityManager } from '@mikro-orm/postgresql';
import pLimit from 'p-limit';
import { runIngestPipeline, type RawSource } from '../ingest/ingest-pipeline.ts';
import type { IngestTarget } from '../ingest/load-ingest-target.ts';
import type { Logger } from '../logger.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import { applyRelabel, markEmailsDeleted } from '../db/repositories/mail-sync.repository.ts';
import type { MailChange, MailSource, Visibility } from '../providers/mail-source.ts';
import { ProviderError } from '../providers/provider-error.ts';
import {
  recordFailures,
  storedOrFailedIds,
} from '../db/repositories/message-failure.repository.ts';
import { emptySummary, tally, type MailSyncSummary } from './mail-sync-summary.ts';
import { retryFailedMessages } from './retry-failed-messages.ts';
import { loadSyncState, saveSyncState, type MailSyncState } from './sync-state.ts';

/**
 * Provider-agnostic mail sync of one mailbox: a bounded newest-first backfill, checkpointed after
 * every page, then incremental changes from the stored cursor. An expired cursor starts a bounded
 * backfill again; it skips what is already stored, so nothing is duplicated. Asked to stop (`stop`,
 * a worker closing), it stops at the next checkpoint (a page saved, or a batch of messages written)
 * by throwing `stop.reason`; the next run goes on from there.
 */
export interface MailSyncDeps {
  em: EntityManager;
  pool: ParsePool;
  source: MailSource;
  target: IngestTarget;
  log: Logger;
  bounds: { days: number | null; maxMessages: number | null };
  fetchConcurrency: number;
  /** Delays before each retry of a message that failed (see retry-failed-messages.ts). */
  messageRetrySeconds: readonly number[];
  /** Aborted when the run should stop at its next checkpoint (job-definition.ts `JobRun.stop`). */
  stop?: AbortSignal;
  /** The job's run: once aborted, fetches stop the run instead of failing their messages. */
  signal?: AbortSignal;
}

export async function runMailSync(deps: MailSyncDeps): Promise<MailSyncSummary> {
  const summary = emptySummary();
  // Retry due ledger entries first: they were due before anything this run could fail.
  await retryFailedMessages(deps, summary);
  let state = await loadSyncState(deps.em, deps.target.mailboxId);
  for (let round = 0; ; round++) {
    if (state.stages.mail !== 'incremental' || !state.cursors.mail) {
      await backfill(deps, state, summary);
    }
    try {
      await incremental(deps, state, summary);
      summary.stage = 'incremental';
      return summary;
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind !== 'CURSOR_INVALID' || round > 0) {
        throw err;
      }
      // The provider forgot our cursor: never skip the gap silently; re-list within the bounds.
      deps.log.warn(
        { mailboxId: deps.target.mailboxId, reason: err.message },
        'cursor expired; running a bounded resync',
      );
      summary.resyncs++;
      state = {
        ...state,
        stages: { ...state.stages, mail: 'backfill' },
        cursors: { ...state.cursors, mail: null, backfillStart: null, backfillPageToken: null },
        backfill: { ...state.backfill, resyncs: (state.backfill.resyncs ?? 0) + 1 },
      };
      await saveSyncState(deps.em, deps.target.mailboxId, state);
    }
  }
}

async function backfill(deps: MailSyncDeps, state: MailSyncState, summary: MailSyncSummary) {
  const { em, source, target, bounds } = deps;
  if (!state.cursors.backfillStart) {
    const profile = await source.getProfile();
    state.stages.mail = 'backfill';
    state.cursors.backfillStart = profile.cursor;
    state.cursors.backfillPageToken = null;
    state.backfill = {
      ...state.backfill,
      done: 0,
      total: cap(profile.messagesTotal, bounds.maxMessages),
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    await saveSyncState(em, target.mailboxId, state);
  }
  const since = bounds.days ? new Date(Date.now() - bounds.days * 86_400_000) : null;
  let first = !state.cursors.backfillPageToken;
  for (;;) {
    const remaining =
      bounds.maxMessages === null ? Infinity : bounds.maxMessages - state.backfill.done;
    if (remaining <= 0 && !source.cursorNeedsFullListing) {
      break;
    }
    const page = await source.listMessages({ since }, state.cursors.backfillPageToken ?? null);
    if (first && page.estimatedTotal !== null) {
      state.backfill.total = cap(page.estimatedTotal, bounds.maxMessages);
      first = false;
    }
    // Past the count bound, a provider that needs the whole listing for its cursor is paged
    // through without fetching anything.
    const covered = page.messages.slice(0, Math.max(0, Math.min(remaining, page.messages.length)));
    const known = await storedOrFailedIds(
      em,
      target.mailboxId,
      covered.map((m) => m.id),
    );
    summary.alreadyStored += known.size;
    await ingestIds(
      deps,
      covered.filter((m) => !known.has(m.id)).map((m) => m.id),
      summary,
    );
    state.backfill.done += covered.length;
    state.cursors.backfillPageToken = page.nextPageToken;
    if (page.cursorAfter) {
      // Saved with the page, so a crash right after the last page cannot lose it.
      state.cursors.backfillStart = page.cursorAfter;
    }
    await saveSyncState(em, target.mailboxId, state);
    if (!page.nextPageToken) {
      break;
    }
    deps.stop?.throwIfAborted();
    if (covered.length < page.messages.length && !source.cursorNeedsFullListing) {
      break;
    }
  }
  state.stages.mail = 'incremental';
  state.cursors.mail = state.cursors.backfillStart;
  state.cursors.backfillStart = null;
  state.cursors.backfillPageToken = null;
  state.backfill.total = state.backfill.done;
  state.backfill.finishedAt = new Date().toISOString();
  await saveSyncState(em, target.mailboxId, state);
}

async function incremental(deps: MailSyncDeps, state: MailSyncState, summary: MailSyncSummary) {
  const { em, source, target } = deps;
  const cursor = state.cursors.mail;
  if (!cursor) {
    return;
  }
  deps.stop?.throwIfAborted();
  const changes: MailChange[] = [];
  let pageToken: string | null = null;
  let newCursor: string | null = null;
  do {
    const page = await source.listChanges(cursor, pageToken);
    changes.push(...page.changes);
    pageToken = page.nextPageToken;
    newCursor = page.newCursor;
  } while (pageToken);

  const deleted = new Set(changes.filter((c) => c.type === 'deleted').map((c) => c.id));
  if (deleted.size > 0) {
    summary.deleted += await markEmailsDeleted(em, target.mailboxId, [...deleted]);
  }
  const toFetch = new Set<string>();
  for (const change of changes) {
    if (deleted.has(change.id)) {
      continue;
    }
    if (change.type === 'added') {
      if (change.excluded) {
        summary.excluded++;
      } else {
        toFetch.add(change.id);
      }
    } else if (change.type === 'relabeled') {
      const rows = await applyRelabel(em, target.mailboxId, {
        providerMessageId: change.id,
        ...change.labels,
        deleted: DELETED_BY_VISIBILITY[change.visibility],
      });
      summary.relabeled += rows;
      // Leaving Spam/Trash/Drafts makes an unknown message visible: fetch it.
      if (rows === 0 && change.visibility === 'restored') {
        toFetch.add(change.id);
      }
    }
  }
  const known = await storedOrFailedIds(em, target.mailboxId, [...toFetch]);
  // Already stored: e.g. mail sent through Mailroom, stored when it was sent.
  summary.alreadyStored += known.size;
  await ingestIds(
    deps,
    [...toFetch].filter((id) => !known.has(id)),
    summary,
  );
  state.cursors.mail = newCursor ?? cursor;
  state.stages.mail = 'incremental';
  await saveSyncState(em, target.mailboxId, state);
}

/** Mail that left the visible mailbox (trashed, spammed) counts as deleted; restored mail not. */
const DELETED_BY_VISIBILITY: Record<Visibility, boolean | null> = {
  excluded: true,
  restored: false,
  unchanged: null,
};

/** Ids handed to one pipeline run; a multiple of its batch size, so batches stay full. */
const IDS_PER_PIPELINE_RUN = 500;

async function ingestIds(deps: MailSyncDeps, ids: string[], summary: MailSyncSummary) {
  if (ids.length === 0) {
    return;
  }
  // One request slot stays free for listing while fetches run.
  const limit = pLimit(
    Math.max(1, Math.min(deps.fetchConcurrency, deps.source.maxConcurrency - 1)),
  );
  // The window stops at the first provider failure (a long rate limit, a revoked grant, an outage
  // outlasting the in-place retries): it is the mailbox's, not one message's, so every fetch still
  // queued would draw the same answer. Those are not sent; the pipeline stores what was fetched,
  // and the job's retry lists the rest again, skipping what is stored.
  // A run given up (its signal aborted) halts the window the same way.
  let halted: Error | null = null;
  const fetchOnce = async (id: string) => {
    if (halted) {
      throw halted;
    }
    // Asked to stop: fetches not sent yet are left for the next run (the pipeline writes the rest).
    deps.stop?.throwIfAborted();
    try {
      return await deps.source.fetchMessage(id);
    } catch (err) {
      if (err instanceof ProviderError || deps.signal?.aborted) {
        halted ??= err instanceof Error ? err : new Error(String(err));
      }
      throw err;
    }
  };
  // The pipeline holds a source and an outcome for every id it is given: a change pass after a
  // long pause can name tens of thousands, so they go through in runs of a bounded size (the
  // listing's pages already are), and the memory a sync takes does not grow with the mailbox.
  for (let start = 0; start < ids.length; start += IDS_PER_PIPELINE_RUN) {
    const sources: RawSource[] = ids.slice(start, start + IDS_PER_PIPELINE_RUN).map((id) => ({
      key: id,
      providerMessageId: id,
      providerThreadId: null,
      labels: [],
      load: () => limit(() => fetchOnce(id)),
    }));
    // Small batches: each is a checkpoint a killed worker does not have to fetch again.
    const result = await runIngestPipeline(deps.em, deps.pool, deps.target, sources, {
      batchSize: 50,
      parseAhead: 100,
      stop: deps.stop,
      signal: deps.signal,
    });
    tally(summary, result);
    await recordFailures(
      deps.em,
      deps.target.mailboxId,
      result.outcomes.flatMap((o) =>
        o.status === 'failed' ? [{ id: o.key, reason: o.reason }] : [],
      ),
      deps.messageRetrySeconds,
    );
  }
}

function cap(value: number | null, max: number | null): number | null {
  if (value === null) {
    return max;
  }
  return max === null ? value : Math.min(value, max);
}
