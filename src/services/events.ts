import type { EntityManager } from '@mikro-orm/postgresql';
import { numberOutboxRows } from '../db/outbox-relay.ts';
import { readEventFeed } from '../db/read-models/event-feed.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { InvalidInputError } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../events/catalog.ts';
import { seqOfEventId, type EventEnvelope } from '../events/envelope.ts';

/** Rows a feed read numbers at most when no relay is running (the relay's own batch size). */
const NUMBER_ON_READ = 1_000;

/**
 * The pull feed (`GET /api/v1/events`): the workspace's event envelopes after event id `after`,
 * in feed order. Only numbered rows are visible; a worker's relay numbers them as they commit,
 * and so does this read, through the relay's own numbering step and lock, when no relay holds
 * the lock (an API running without a worker), so the feed never depends on a worker being up.
 * `nextCursor` is the last event's id, or `after` when there is nothing new: a consumer passes
 * it back as `after` and never misses or repeats an event.
 */
export async function eventFeed(
  scope: WorkspaceScope,
  em: EntityManager,
  opts: { after: string | undefined; types: string | undefined; limit: number },
): Promise<{ items: EventEnvelope[]; nextCursor: string | null }> {
  const afterSeq = opts.after === undefined ? '0' : seqOfEventId(opts.after);
  if (afterSeq === null) {
    throw new InvalidInputError('query.after: not an event id (evt_ and 19 digits)');
  }
  const types = parseTypes(opts.types);
  await numberOutboxRows(em, NUMBER_ON_READ);
  const items = await readEventFeed(scope, { afterSeq, types, limit: opts.limit });
  return { items, nextCursor: items.at(-1)?.id ?? opts.after ?? null };
}

function parseTypes(raw: string | undefined): EventType[] | null {
  if (raw === undefined) {
    return null;
  }
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = types.filter((t) => !EVENT_TYPES.includes(t as EventType));
  if (types.length === 0 || unknown.length > 0) {
    throw new InvalidInputError(
      `query.types: unknown event type ${unknown.join(', ') || '(none given)'} (comma-separated, each one of ${EVENT_TYPES.join(', ')})`,
    );
  }
  return [...new Set(types)] as EventType[];
}
