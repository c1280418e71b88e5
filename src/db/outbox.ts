import { checkEvent, dedupeKey, AGGREGATE_OF, type DomainEvent } from '../events/catalog.ts';
import { OUTBOX_CHANNEL } from './outbox-listener.ts';
import { jsonb, run, type Db } from './sql.ts';

/**
 * The only writer of outbox rows. Call it in the transaction that creates what the events
 * announce, and only for rows that transaction actually created, so an event exists exactly when
 * its record does. Every row is deduplicated on the catalog's one key rule. When it adds rows it
 * also notifies the event relay (`OUTBOX_CHANNEL`); PostgreSQL delivers that at commit, once per
 * transaction however many calls made it, and never for a transaction that rolls back.
 */
export async function appendEvents(tx: Db, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  const rows = events.map((event) => {
    checkEvent(event);
    return {
      workspace_id: event.workspaceId,
      type: event.type,
      aggregate_type: AGGREGATE_OF[event.type],
      aggregate_id: event.aggregateId,
      payload: event.data,
      dedupe_key: dedupeKey(event),
    };
  });
  await run(
    tx,
    `with added as (
       insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
       select r.workspace_id, r.type, r.aggregate_type, r.aggregate_id, r.payload, r.dedupe_key
         from jsonb_to_recordset(?::jsonb) as r(workspace_id uuid, type text, aggregate_type text,
           aggregate_id uuid, payload jsonb, dedupe_key text)
       on conflict (dedupe_key) do nothing
       returning 1
     )
     select pg_notify(?, '') from (select count(*) as n from added) c where c.n > 0`,
    [jsonb(rows), OUTBOX_CHANNEL],
  );
}
