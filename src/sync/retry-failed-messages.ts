import pLimit from 'p-limit';
import {
  clearFailures,
  dueFailures,
  recordFailures,
} from '../db/repositories/message-failure.repository.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runIngestPipeline, type RawSource } from '../ingest/ingest-pipeline.ts';
import type { IngestTarget } from '../ingest/load-ingest-target.ts';
import type { Logger } from '../logger.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import type { FetchedMessage, MailSource } from '../providers/mail-source.ts';
import { ProviderError } from '../providers/provider-error.ts';
import { tally, type MailSyncSummary } from './mail-sync-summary.ts';

/**
 * The failure ledger is a queue to retry, not a grave (issue 10 item 2): a message that could not
 * be stored (a parser timeout on a busy machine, a database refusal since fixed, a cap since
 * raised) is fetched again by id once its next attempt is due, with backoff, a bounded number of
 * times (`MAILROOM_MESSAGE_RETRY_SECONDS`). Stored, gone or now-excluded messages leave the
 * ledger; one that fails again is re-recorded with its new reason and its next delay, or for good
 * once its attempts are used up.
 */

/** What a retry needs of the mail sync's dependencies (mail-sync.ts `MailSyncDeps`). */
export interface RetryDeps {
  em: EntityManager;
  pool: ParsePool;
  source: MailSource;
  target: IngestTarget;
  log: Logger;
  fetchConcurrency: number;
  messageRetrySeconds: readonly number[];
  /** The job's run: once aborted, a failed fetch stops the run, not just its message. */
  signal?: AbortSignal;
}

/** Retries per sync run, so a large ledger cannot hold up the mailbox's new mail. */
const MAX_RETRIES_PER_RUN = 100;

export async function retryFailedMessages(
  deps: RetryDeps,
  summary: MailSyncSummary,
): Promise<void> {
  const { em, target } = deps;
  const due = await dueFailures(em, target.mailboxId, MAX_RETRIES_PER_RUN);
  if (due.length === 0) {
    return;
  }
  deps.log.info({ mailboxId: target.mailboxId, due: due.length }, 'retrying failed messages');
  const limit = pLimit(
    Math.max(1, Math.min(deps.fetchConcurrency, deps.source.maxConcurrency - 1)),
  );
  const sources: RawSource[] = due.map((id) => ({
    key: id,
    providerMessageId: id,
    providerThreadId: null,
    labels: [],
    load: () => limit(() => fetchForRetry(deps.source, id)),
  }));
  const result = await runIngestPipeline(em, deps.pool, target, sources, {
    batchSize: 50,
    parseAhead: 100,
    signal: deps.signal,
  });
  tally(summary, result);
  summary.retried += due.length;
  const failed = result.outcomes.flatMap((o) =>
    o.status === 'failed' ? [{ id: o.key, reason: o.reason }] : [],
  );
  await recordFailures(em, target.mailboxId, failed, deps.messageRetrySeconds);
  await clearFailures(
    em,
    target.mailboxId,
    result.outcomes.filter((o) => o.status !== 'failed').map((o) => o.key),
  );
}

/**
 * A provider that refuses one message for good (a 400 for its id) fails that message, not the
 * sync: a retry must never hold up the mailbox's new mail. Outages, rate limits and revoked
 * access still stop the run, as they do for any fetch.
 */
async function fetchForRetry(source: MailSource, id: string): Promise<FetchedMessage | null> {
  try {
    return await source.fetchMessage(id);
  } catch (err) {
    if (err instanceof ProviderError && err.kind === 'PERMANENT') {
      throw new Error(`provider refused the message: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
