import { z } from 'zod';
import { AUTO_CREATE_POLICIES } from '../crm/enrichment-settings.ts';
import { isoInstant } from './iso-time.ts';
import { mailboxStatusValueSchema } from './mailbox-status.schema.ts';

/**
 * What `workspace:list`, `workspace:update` and `mailbox:list` print. Keys are declared in the
 * order the commands print them.
 */
export const workspaceViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  internalDomains: z.array(z.string()),
  blocklist: z.array(z.string()),
  /** The auto-create policy new mailboxes get (each mailbox has its own, see mailbox:list). */
  autoCreatePolicy: z.enum(AUTO_CREATE_POLICIES),
  mailboxes: z.number().int(),
  createdAt: isoInstant,
});
export type WorkspaceView = z.infer<typeof workspaceViewSchema>;

export const mailboxSummarySchema = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  email: z.string(),
  provider: z.enum(['google', 'microsoft']),
  status: mailboxStatusValueSchema,
  autoCreatePolicy: z.enum(AUTO_CREATE_POLICIES),
  lastSyncedAt: isoInstant.nullable(),
  lastError: z.string().nullable(),
  createdAt: isoInstant,
});
export type MailboxSummary = z.infer<typeof mailboxSummarySchema>;
