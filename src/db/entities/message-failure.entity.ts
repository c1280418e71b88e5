import { EntitySchema } from '@mikro-orm/core';

export interface MessageFailure {
  mailboxId: string;
  providerMessageId: string;
  reason: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

export const MessageFailureSchema = new EntitySchema<MessageFailure>({
  name: 'MessageFailure',
  tableName: 'message_failure',
  properties: {
    mailboxId: { type: 'uuid', primary: true },
    providerMessageId: { type: 'text', primary: true },
    reason: { type: 'text' },
    attempts: { type: 'integer', default: 1 },
    firstFailedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    lastFailedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
