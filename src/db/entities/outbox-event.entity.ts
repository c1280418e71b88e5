import { EntitySchema } from '@mikro-orm/core';

export type OutboxEventType =
  | 'person.created'
  | 'company.created'
  | 'email.received'
  | 'email.sent'
  | 'mailbox.reauth_required';

export interface OutboxEvent {
  id: string;
  workspaceId: string;
  type: OutboxEventType;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  createdAt: Date;
  publishedAt: Date | null;
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
  },
});
