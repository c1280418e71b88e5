import { EntitySchema } from '@mikro-orm/core';
import { FullTextType } from '@mikro-orm/postgresql';
import type { BounceReport } from '../../mail/bounce/bounce-report.ts';
import type { AttachmentMeta, AutomationMarkers } from '../../mail/normalized-message.ts';

export type EmailDirection = 'inbound' | 'outbound';
export type ParticipantRole = 'from' | 'to' | 'cc' | 'bcc';

export interface Email {
  id: string;
  workspaceId: string;
  mailboxId: string;
  providerMessageId: string;
  providerThreadId: string | null;
  internetMessageId: string | null;
  inReplyTo: string | null;
  references: string[];
  logicalKey: string;
  threadKey: string;
  direction: EmailDirection;
  labels: string[];
  subject: string;
  snippet: string;
  textBody: string;
  textBodyTruncated: boolean;
  /** As received, not sanitised (the API sanitises it when serving it). */
  htmlBody: string;
  htmlBodyTruncated: boolean;
  /** The full-text document (see the email_search_html migration); never loaded. */
  search?: string;
  sentAt: Date | null;
  sizeBytes: number;
  attachments: AttachmentMeta[];
  automation: AutomationMarkers;
  crmSkipReason: string | null;
  /** The delivery report (DSN, NDR) this message is, or null. */
  bounce: BounceReport | null;
  /** The invitation this email carries (a text/calendar part): its UID and METHOD. */
  icalUid: string | null;
  icalMethod: string | null;
  deleted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface EmailParticipant {
  emailId: string;
  workspaceId: string;
  role: ParticipantRole;
  address: string;
  displayName: string;
  position: number;
  linkable: boolean;
  skipReason: string | null;
  personId: string | null;
  companyId: string | null;
}

export const EmailSchema = new EntitySchema<Email>({
  name: 'Email',
  tableName: 'email',
  uniques: [{ properties: ['mailboxId', 'providerMessageId'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid' },
    mailboxId: { type: 'uuid' },
    providerMessageId: { type: 'text' },
    providerThreadId: { type: 'text', nullable: true },
    internetMessageId: { type: 'text', nullable: true },
    inReplyTo: { type: 'text', nullable: true },
    references: { type: 'text[]', default: '{}' },
    logicalKey: { type: 'text' },
    threadKey: { type: 'text' },
    direction: { type: 'text' },
    labels: { type: 'text[]', default: '{}' },
    subject: { type: 'text', default: '' },
    snippet: { type: 'text', default: '' },
    textBody: { type: 'text', default: '' },
    textBodyTruncated: { type: 'boolean', default: false },
    htmlBody: { type: 'text', default: '' },
    htmlBodyTruncated: { type: 'boolean', default: false },
    search: { type: new FullTextType('simple'), defaultRaw: "''::tsvector", lazy: true },
    sentAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    sizeBytes: { type: 'integer', default: 0 },
    attachments: { type: 'json', default: '[]' },
    automation: { type: 'json', default: '{}' },
    crmSkipReason: { type: 'text', nullable: true },
    bounce: { type: 'json', nullable: true },
    icalUid: { type: 'text', nullable: true },
    icalMethod: { type: 'text', nullable: true },
    deleted: { type: 'boolean', default: false },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});

export const EmailParticipantSchema = new EntitySchema<EmailParticipant>({
  name: 'EmailParticipant',
  tableName: 'email_participant',
  properties: {
    emailId: { type: 'uuid', primary: true },
    role: { type: 'text', primary: true },
    address: { type: 'text', primary: true },
    workspaceId: { type: 'uuid' },
    displayName: { type: 'text', default: '' },
    position: { type: 'integer' },
    linkable: { type: 'boolean' },
    skipReason: { type: 'text', nullable: true },
    personId: { type: 'uuid', nullable: true },
    companyId: { type: 'uuid', nullable: true },
  },
});
