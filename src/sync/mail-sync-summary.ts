import { addCounters, emptyCounters, type IngestCounters } from '../ingest/ingest-types.ts';
import { recordMessages } from '../observability/metrics.ts';
import type { PipelineResult } from '../ingest/ingest-pipeline.ts';

/** What one sync run did, printed by `sync` and returned by the job. */
export interface MailSyncSummary {
  stage: string;
  fetched: number;
  alreadyStored: number;
  gone: number;
  excluded: number;
  failed: number;
  deleted: number;
  relabeled: number;
  resyncs: number;
  /** Messages from the failure ledger tried again (retry-failed-messages.ts). */
  retried: number;
  counters: IngestCounters;
}

export function emptySummary(): MailSyncSummary {
  return {
    stage: 'backfill',
    fetched: 0,
    alreadyStored: 0,
    gone: 0,
    excluded: 0,
    failed: 0,
    deleted: 0,
    relabeled: 0,
    resyncs: 0,
    retried: 0,
    counters: emptyCounters(),
  };
}

/** Every batch of every mail sync (retried messages too) is tallied here, and counted in metrics. */
export function tally(summary: MailSyncSummary, result: PipelineResult): void {
  const counts = { fetched: 0, stored: 0, failed: 0 };
  for (const o of result.outcomes) {
    if (o.status === 'stored' || o.status === 'failed' || o.status === 'excluded') {
      summary.fetched++;
      counts.fetched++;
    }
    if (o.status === 'stored') {
      counts.stored++;
    }
    if (o.status === 'gone') {
      summary.gone++;
    } else if (o.status === 'excluded') {
      summary.excluded++;
    } else if (o.status === 'failed') {
      summary.failed++;
      counts.failed++;
    }
  }
  recordMessages(counts);
  addCounters(summary.counters, result.counters);
}
