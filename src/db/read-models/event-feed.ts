import type { EventType } from '../../events/catalog.ts';
import type { EventEnvelope } from '../../events/envelope.ts';
import { envelopeOf, sequencedRow } from '../outbox-relay.ts';
import { jsonb } from '../sql.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';

/**
 * The pull feed of the scope's workspace: numbered outbox rows after feed number `afterSeq` (a
 * decimal string; "0" from the start), in feed order, at most `limit`, optionally of `types` only.
 * Only numbered rows are read: the relay numbers a row once its transaction has committed, so a
 * row that commits late gets a later number and is never skipped by a reader walking `seq > after`.
 * Walks the `(workspace_id, seq)` partial index (migration outbox_feed_seq).
 */
export async function readEventFeed(
  scope: WorkspaceScope,
  opts: { afterSeq: string; types: readonly EventType[] | null; limit: number },
): Promise<EventEnvelope[]> {
  const rows = await scope.rows(
    sequencedRow,
    `select seq, type, workspace_id, created_at, payload
       from outbox_event
      where workspace_id = :workspace and seq is not null and seq > ?::bigint
        ${opts.types === null ? '' : 'and type in (select jsonb_array_elements_text(?::jsonb))'}
      order by seq
      limit ?`,
    opts.types === null
      ? [opts.afterSeq, opts.limit]
      : [opts.afterSeq, jsonb(opts.types), opts.limit],
  );
  return rows.map(envelopeOf);
}
