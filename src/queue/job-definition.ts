import type { Job, JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { SyncKind } from '../observability/metrics.ts';
import type { RetryDecision } from './decide-retry.ts';
import type { JobContext } from './job-context.ts';

/** What the worker decided about a failed attempt, told to the job that failed. */
export interface JobFailure {
  decision: RetryDecision;
  message: string;
  /** No attempt follows this one (a `retry` on the last attempt, or any `fail`/`reauth`). */
  final: boolean;
}

/**
 * What the worker gives one run of a job: `progress()` tells the watchdog the job is moving
 * (watchdog.ts), and `signal` aborts once the run was given up (watchdog fired, lock lost), so
 * what the handler still does after that fails fast instead of racing the retry.
 *
 * `stop` aborts when the worker is closing (a SIGTERM): a long job stops at its next checkpoint
 * by throwing `stop.reason` (`stop.throwIfAborted()`), and the worker hands the job back to the
 * queue, where another worker resumes it from that checkpoint at once. A job that ignores it is
 * waited for, as before, up to the shutdown grace.
 */
export interface JobRun {
  progress(): void;
  readonly signal: AbortSignal;
  readonly stop: AbortSignal;
}

/** One job: its name, its data (ids only), its handler and its default options. */
export interface JobDefinition<Data = unknown, Result = unknown> {
  name: string;
  schema: z.ZodType<Data>;
  options: JobsOptions;
  /**
   * Deterministic deduplication id from the data (BullMQ `deduplication.id`, not the job id: a
   * job id stays taken while its failed job is kept as the record, and would block the next sync).
   */
  deduplicationId: (data: Data) => string;
  handle: (job: Job<Data>, data: Data, ctx: JobContext, run: JobRun) => Promise<Result>;
  /**
   * Records a failure where the job's owner can see it (a mailbox's status and last error). The
   * job declares it because only the job knows what its data is about; the worker never guesses.
   */
  onFailure?: (data: Data, failure: JobFailure, ctx: JobContext) => Promise<void>;
  /** For a sync job: its kind in `mailroom_sync_runs_total` and the duration histogram. */
  syncKind?: SyncKind;
}

/**
 * The options to queue `def` for `data` with: one job per deduplication id is queued or running,
 * and a request that arrives while it runs is kept as one follow-up run (`keepLastIfActive`), so
 * a wake-up during a sync is never lost and never runs in parallel with it.
 */
export function jobOptionsFor<Data>(def: JobDefinition<Data>, data: Data): JobsOptions {
  return {
    ...def.options,
    deduplication: { id: def.deduplicationId(data), keepLastIfActive: true },
  };
}

export type JobRegistry = ReadonlyMap<string, JobDefinition<never>>;

export class JobRegistryError extends Error {
  override readonly name = 'JobRegistryError';
}

/** Fails worker start-up when a name has no handler or two handlers. */
export function buildJobRegistry(definitions: readonly JobDefinition<never>[]): JobRegistry {
  const registry = new Map<string, JobDefinition<never>>();
  for (const def of definitions) {
    if (!def.name || typeof def.handle !== 'function') {
      throw new JobRegistryError(`job ${def.name || '(unnamed)'} has no handler`);
    }
    if (registry.has(def.name)) {
      throw new JobRegistryError(`job ${def.name} is registered twice`);
    }
    registry.set(def.name, def);
  }
  return registry;
}
