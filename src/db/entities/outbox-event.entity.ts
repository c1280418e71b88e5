import { EntitySchema } from '@mikro-orm/core';
import type { AggregateType, EventType } from '../../events/catalog.ts';

/** Rows are written only by `appendEvents` (src/db/outbox.ts); the types come from the catalog. */
export type OutboxEventType = EventType;

export interface OutboxEvent {
  id: string;
  workspaceId: string;
  type: OutboxEventType;
  aggregateType: AggregateType;
  aggregateId: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  createdAt: Date;
  publishedAt: Date | null;
  /** Feed order, given by the event relay once the row is committed; the event id derives from it. */
  seq: string | null;
}

export const OutboxEventSchema = new EntitySchema<OutboxEvent>({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    workspaceId: { type: 'uuid' },
    type: { type: 'text' },
    aggregateType: { type: 'text' },
    aggregateId: { type: 'uuid' },
    payload: { type: 'json' },
    dedupeKey: { type: 'text', unique: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    publishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    seq: { type: 'bigint', nullable: true, unique: true },
  },
});
