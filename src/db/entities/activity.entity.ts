import { EntitySchema } from '@mikro-orm/core';
import type { ActivityType } from '../../crm/activity-keys.ts';

export interface Activity {
  id: string;
  workspaceId: string;
  type: ActivityType;
  personId: string;
  companyId: string | null;
  emailId: string | null;
  calendarEventId: string | null;
  internetMessageId: string | null;
  icalUid: string | null;
  /** Our outbound message an EMAIL_REPLIED answers or an EMAIL_BOUNCED reports on. */
  relatedEmailId: string | null;
  relatedInternetMessageId: string | null;
  /** EMAIL_REPLIED: seconds from our message to the reply (null when a date is missing). */
  replySeconds: number | null;
  bounceRecipient: string | null;
  bounceStatus: string | null;
  occurredAt: Date;
  idempotencyKey: string;
  createdAt: Date;
}

export const ActivitySchema = new EntitySchema<Activity>({
  name: 'Activity',
  tableName: 'activity',
  uniques: [{ properties: ['workspaceId', 'idempotencyKey'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    type: { type: 'text' },
    personId: { type: 'uuid' },
    companyId: { type: 'uuid', nullable: true },
    emailId: { type: 'uuid', nullable: true },
    calendarEventId: { type: 'uuid', nullable: true },
    internetMessageId: { type: 'text', nullable: true },
    icalUid: { type: 'text', nullable: true },
    relatedEmailId: { type: 'uuid', nullable: true },
    relatedInternetMessageId: { type: 'text', nullable: true },
    replySeconds: { type: 'integer', nullable: true },
    bounceRecipient: { type: 'text', nullable: true },
    bounceStatus: { type: 'text', nullable: true },
    occurredAt: { type: 'Date', columnType: 'timestamptz' },
    idempotencyKey: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
