import { EntitySchema } from '@mikro-orm/core';
import type { AutoCreatePolicy, EnrichmentSettings } from '../../crm/enrichment-settings.ts';

export type MailProvider = 'google' | 'microsoft';
export type MailboxStatus = 'active' | 'syncing' | 'reauth_required' | 'error' | 'disconnected';

export interface Mailbox {
  id: string;
  workspaceId: string;
  provider: MailProvider;
  email: string;
  aliases: string[];
  /** Refresh token sealed with SecretBox; never logged, never in job data. */
  credentials: string | null;
  status: MailboxStatus;
  autoCreatePolicy: AutoCreatePolicy;
  settings: Partial<EnrichmentSettings>;
  /** Per-stage sync state (cursor, progress), owned by the sync layer. */
  syncState: Record<string, unknown>;
  lastError: string | null;
  lastSyncedAt: Date | null;
  /** Heartbeat of a running mail sync: `syncing` past this instant means its worker is gone. */
  syncAliveUntil: Date | null;
  /**
   * When the fleet scheduler next polls the mailbox (null: due now); it sets this itself at each
   * poll it queues (jobs/poll-mailboxes.job.ts).
   */
  nextPollAt?: Date | null;
  /**
   * Set by the push layer to the expiry of the mailbox's live Gmail watch / Graph subscriptions;
   * while it is in the future the mailbox is push-healthy and polled only as a fallback
   * (`MAILROOM_PUSH_POLL_INTERVAL_SECONDS`).
   */
  pushHealthyUntil?: Date | null;
  /** Set while a purge the API accepted is still to finish (purge-runner.ts); cleared at its end. */
  purgeRequestedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const MailboxSchema = new EntitySchema<Mailbox>({
  name: 'Mailbox',
  tableName: 'mailbox',
  uniques: [{ properties: ['workspaceId', 'email'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    workspaceId: { type: 'uuid', fieldName: 'workspace_id' },
    provider: { type: 'text' },
    email: { type: 'text' },
    aliases: { type: 'text[]', default: '{}' },
    credentials: { type: 'text', nullable: true },
    status: { type: 'text', default: 'active' },
    autoCreatePolicy: { type: 'text', default: 'sent_and_received' },
    settings: { type: 'json', default: '{}' },
    syncState: { type: 'json', default: '{}' },
    lastError: { type: 'text', nullable: true },
    lastSyncedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    syncAliveUntil: {
      type: 'Date',
      columnType: 'timestamptz',
      nullable: true,
      fieldName: 'sync_alive_until',
    },
    nextPollAt: {
      type: 'Date',
      columnType: 'timestamptz',
      nullable: true,
      fieldName: 'next_poll_at',
    },
    pushHealthyUntil: {
      type: 'Date',
      columnType: 'timestamptz',
      nullable: true,
      fieldName: 'push_healthy_until',
    },
    purgeRequestedAt: {
      type: 'Date',
      columnType: 'timestamptz',
      nullable: true,
      fieldName: 'purge_requested_at',
    },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
