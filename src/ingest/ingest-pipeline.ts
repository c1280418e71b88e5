import type { EntityManager } from '@mikro-orm/postgresql';
import { classifyMessage } from '../crm/classify-message.ts';
import { ProviderError } from '../providers/provider-error.ts';
import type { ParsePool } from '../mail/parse-pool.ts';
import type { IngestTarget } from './load-ingest-target.ts';
import {
  addCounters,
  emptyCounters,
  type IngestCounters,
  type IngestItem,
} from './ingest-types.ts';
import { writeBatch, type ClassifiedItem } from './write-batch.ts';

/**
 * Raw messages in, CRM records out. Parsing runs on the pool's worker threads while the previous
 * batch is being written, so the database and the parser work at the same time; a message that
 * fails to parse, or that the database refuses (see write-batch.ts), is reported with its reason
 * and costs nothing else.
 */
export interface LoadedMessage {
  raw: Buffer;
  labels: string[];
  threadId: string | null;
  sent: boolean;
  excluded: boolean;
}

export interface RawSource {
  /** Caller's handle for reporting (a file path, a provider id). */
  key: string;
  providerMessageId: string;
  providerThreadId: string | null;
  labels: string[];
  /**
   * The bytes, or what a provider returned with them; null when the message is gone (deleted
   * between listing and fetching). A ProviderError is fatal to the run (the sync's retry policy
   * handles it), and so is any error once the run's signal is aborted; any other error fails only
   * this message.
   */
  load: () => Promise<Buffer | LoadedMessage | null>;
}

export type SourceOutcome =
  | { key: string; status: 'stored'; crmSkipReason: string | null }
  | { key: string; status: 'failed'; reason: string }
  | { key: string; status: 'gone' }
  | { key: string; status: 'excluded' };

export interface PipelineResult {
  outcomes: SourceOutcome[];
  counters: IngestCounters;
}

export interface PipelineOptions {
  batchSize?: number;
  /** How many messages may be parsed ahead of the writer. */
  parseAhead?: number;
  /**
   * Body characters (text and HTML) that parsed, unwritten messages may hold: past it a batch is
   * written before it is full, and no new message is started until the writer catches up. Counts
   * bound the usual mail; this bounds a run of newsletters at the 1M-character HTML cap.
   */
  heldChars?: number;
  /** Told how many sources have an outcome (stored, failed, …) each time that number grows. */
  onProgress?: (done: number) => void;
  /**
   * Asked to stop (a worker closing): no new message is started, and a `load` that throws
   * `stop.reason` (a fetch not sent yet) ends the run like a provider error does: what was already
   * fetched and parsed is written, then `stop.reason` is thrown. Also thrown when the stop left
   * messages unstarted. The caller's next run lists them again and skips what is stored.
   */
  stop?: AbortSignal;
  /**
   * The run's signal. Once it is aborted (a job given up by its watchdog, or one that lost its
   * lock), a failed load is fatal to the run like a ProviderError: the message did nothing wrong,
   * and recording it as failed would keep it out of every sync until its retry comes due.
   */
  signal?: AbortSignal;
}

export async function runIngestPipeline(
  em: EntityManager,
  pool: ParsePool,
  target: IngestTarget,
  sources: readonly RawSource[],
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const batchSize = options.batchSize ?? 200;
  const parseAhead = options.parseAhead ?? batchSize * 2;
  const heldCharsBudget = options.heldChars ?? HELD_CHARS;
  // Body characters of messages parsed and not written yet (in the window or the batch).
  let held = 0;
  const counters = emptyCounters();
  const outcomes: SourceOutcome[] = [];

  const parseOne = async (source: RawSource): Promise<ClassifiedItem | SourceOutcome> => {
    let loaded: Buffer | LoadedMessage | null;
    try {
      loaded = await source.load();
    } catch (err) {
      if (
        err instanceof ProviderError ||
        options.signal?.aborted ||
        (options.stop?.aborted && err === options.stop.reason)
      ) {
        throw err;
      }
      return {
        key: source.key,
        status: 'failed',
        reason: `cannot read: ${(err as Error).message}`,
      };
    }
    if (loaded === null) {
      return { key: source.key, status: 'gone' };
    }
    const { raw, labels, threadId, sent, excluded } = Buffer.isBuffer(loaded)
      ? {
          raw: loaded,
          labels: source.labels,
          threadId: source.providerThreadId,
          sent: false,
          excluded: false,
        }
      : loaded;
    if (excluded) {
      return { key: source.key, status: 'excluded' };
    }
    const parsed = await pool.parse(raw);
    if (!parsed.ok) {
      return { key: source.key, status: 'failed', reason: parsed.reason };
    }
    const item: IngestItem = {
      providerMessageId: source.providerMessageId,
      providerThreadId: threadId,
      labels,
      message: parsed.message,
    };
    held += bodyChars(item);
    return {
      item,
      classified: classifyMessage(parsed.message, target.context, sent),
    };
  };

  // A sliding window of in-flight parses keeps the pool busy without holding every message.
  // A fatal (provider) error is captured, not left as an unhandled rejection. Then no new message
  // is started, the ones in flight settle, and whatever of them was fetched and parsed is written
  // before the error is rethrown: a rate limit on one fetch must not throw away the others
  // (the sync lists the rest again and skips what is stored).
  type Settled = ClassifiedItem | SourceOutcome | { fatal: unknown };
  const inflight: { key: string; settled: Promise<Settled> }[] = [];
  let next = 0;
  const refill = () => {
    while (
      !options.stop?.aborted &&
      inflight.length < parseAhead &&
      held < heldCharsBudget &&
      next < sources.length
    ) {
      const source = sources[next++];
      if (source) {
        inflight.push({
          key: source.key,
          settled: parseOne(source).catch((fatal: unknown) => ({ fatal })),
        });
      }
    }
  };
  refill();
  let batch: { item: ClassifiedItem; key: string }[] = [];
  let batchChars = 0;
  const flush = async () => {
    if (batch.length === 0) {
      return;
    }
    const current = batch;
    batch = [];
    batchChars = 0;
    const written = await writeBatch(
      em,
      target,
      current.map((b) => b.item),
    );
    held -= current.reduce((sum, b) => sum + bodyChars(b.item.item), 0);
    addCounters(counters, written.counters);
    for (const { item, key } of current) {
      const reason = written.rejected.get(item.item.providerMessageId);
      outcomes.push(
        reason === undefined
          ? { key, status: 'stored', crmSkipReason: item.classified.crmSkipReason }
          : { key, status: 'failed', reason },
      );
    }
    options.onProgress?.(outcomes.length);
  };
  const keep = (key: string, result: ClassifiedItem | SourceOutcome) => {
    if ('status' in result) {
      outcomes.push(result);
      options.onProgress?.(outcomes.length);
    } else {
      batch.push({ item: result, key });
      batchChars += bodyChars(result.item);
    }
  };
  for (let head = inflight.shift(); head; head = inflight.shift()) {
    const result = await head.settled;
    if ('fatal' in result) {
      const rest = inflight.splice(0);
      const settled = await Promise.all(rest.map((f) => f.settled));
      settled.forEach((other, i) => {
        if (!('fatal' in other)) {
          keep(rest[i]?.key ?? '', other);
        }
      });
      await flush();
      throw result.fatal;
    }
    refill();
    keep(head.key, result);
    // Half the budget in one batch is written early, so the window can go on parsing meanwhile;
    // an empty window (held back by the budget) is written too, so that it can start again.
    if (batch.length >= batchSize || batchChars >= heldCharsBudget / 2 || inflight.length === 0) {
      await flush();
      refill();
    }
  }
  await flush();
  if (options.stop?.aborted && next < sources.length) {
    throw options.stop.reason;
  }
  return { outcomes, counters };
}

/** See PipelineOptions.heldChars: ~64 MB of bodies at one byte per character, 128 at two. */
const HELD_CHARS = 64 * 1024 * 1024;

function bodyChars(item: IngestItem): number {
  return item.message.textBody.length + item.message.htmlBody.length;
}
