import { EntitySchema } from '@mikro-orm/core';

export interface MessageFailure {
  mailboxId: string;
  providerMessageId: string;
  reason: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  /** When the next retry is due; null once the message has used its attempts. */
  nextAttemptAt: Date | null;
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
    nextAttemptAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
