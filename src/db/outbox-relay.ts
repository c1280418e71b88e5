import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { EVENT_TYPES } from '../events/catalog.ts';
import { toEnvelope, type EventEnvelope } from '../events/envelope.ts';
import { timestamptz } from './columns.ts';
import { queryRows, run, type Db } from './sql.ts';

/** The relay's database-wide advisory lock: one numbering (and publishing) step at a time. */
const RELAY_LOCK = `hashtextextended('mailroom:event-relay', 0)`;

/** A numbered outbox row, as the relay publishes it and the pull feed reads it. */
export const sequencedRow = z.object({
  seq: z.union([z.string(), z.number()]).transform(String),
  type: z.enum(EVENT_TYPES),
  workspace_id: z.string(),
  created_at: timestamptz,
  payload: z.record(z.string(), z.unknown()),
});

/** The envelope of a numbered outbox row. */
export const envelopeOf = (r: z.infer<typeof sequencedRow>): EventEnvelope =>
  toEnvelope({
    seq: r.seq,
    type: r.type,
    workspaceId: r.workspace_id,
    createdAt: r.created_at,
    payload: r.payload,
  });

const countRow = z.object({ n: z.union([z.string(), z.number()]).transform(Number) });

export interface RelayStep {
  /** Events handed to `publish` and marked published. */
  published: number;
  /** Rows newly numbered by this step; the next step publishes them. */
  sequenced: number;
}

/**
 * One relay step, in one transaction under a database-wide advisory lock, so relays in several
 * worker processes take turns and never interleave:
 * 1. the oldest numbered-but-unpublished rows (at most `limit`) go to `publish`, in feed order,
 *    then are marked published;
 * 2. up to `limit` committed rows without a number get the next numbers, in id order.
 * Numbering is committed before the numbered rows are ever published (they go out in the next
 * step), so an event's id never changes: a relay killed after `publish` and before its commit
 * leaves those rows unpublished under the same numbers, and the next step publishes the same ids
 * again (sinks are idempotent by event id). Numbers come from `max(seq) + 1` under the lock, not
 * a sequence object, so a rolled-back step leaves no gap; and as only committed rows are
 * numbered, a transaction that commits late gets a later number and is never skipped by a
 * reader of `seq > cursor`. Both statements walk partial indexes (migration outbox_feed_seq),
 * never the published bulk of the table.
 */
export async function relayOutboxStep(
  em: EntityManager,
  limit: number,
  publish: (events: EventEnvelope[]) => Promise<void>,
): Promise<RelayStep> {
  return em.transactional(async (tx) => {
    // Waits behind another relay's step (bounded by the session's lock_timeout).
    await run(tx, `select pg_advisory_xact_lock(${RELAY_LOCK})`);
    const rows = await queryRows(
      tx,
      sequencedRow,
      `select seq, type, workspace_id, created_at, payload
         from outbox_event
        where published_at is null and seq is not null
        order by seq
        limit ?`,
      [limit],
    );
    const last = rows.at(-1);
    if (last) {
      await publish(rows.map(envelopeOf));
      await run(
        tx,
        `update outbox_event set published_at = now()
          where published_at is null and seq is not null and seq <= ?`,
        [last.seq],
      );
    }
    return { published: rows.length, sequenced: await numberCommittedRows(tx, limit) };
  });
}

/**
 * Step 2 of the relay alone, for a reader of the pull feed in a process with no relay running
 * (`npm start` without a worker): numbers up to `limit` committed rows, under the same lock and
 * with the same statement as the relay, so the feed's order guarantee is the relay's. It does not
 * wait for the lock: when a relay holds it, that relay is numbering right now, and the reader
 * reads what is numbered. Returns the rows numbered, or null when the lock was busy. The rows
 * stay unpublished: the next relay step publishes them under these numbers.
 */
export async function numberOutboxRows(em: EntityManager, limit: number): Promise<number | null> {
  return em.transactional(async (tx) => {
    const lock = await queryRows(
      tx,
      z.object({ locked: z.boolean() }),
      `select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`,
    );
    if (lock[0]?.locked !== true) {
      return null;
    }
    return numberCommittedRows(tx, limit);
  });
}

/** Gives the next feed numbers to up to `limit` committed rows without one, in id order. */
async function numberCommittedRows(tx: Db, limit: number): Promise<number> {
  const numbered = await queryRows(
    tx,
    countRow,
    // The limit comes before the numbering: a window over every unnumbered row would read the
    // whole backlog on each step.
    `with picked as (
       select id from outbox_event where seq is null order by id limit ?
     ), batch as (
       select id, row_number() over (order by id) as n from picked
     ), numbered as (
       update outbox_event o
          set seq = (select coalesce(max(seq), 0) from outbox_event) + batch.n
         from batch
        where o.id = batch.id
       returning 1
     )
     select count(*) as n from numbered`,
    [limit],
  );
  return numbered[0]?.n ?? 0;
}
