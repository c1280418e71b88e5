import type { Command } from 'commander';

/**
 * Every CLI command: its name and one-line description, and how to load the module that adds its
 * flags and action. A run loads only the module of the command it runs, so `--help` and a quick
 * command do not pay for importing the whole application (the ORM, BullMQ, the provider SDKs).
 */
export interface CommandEntry {
  name: string;
  description: string;
  /** Adds the command's arguments, flags and action to `cmd` (created with name and description). */
  load: () => Promise<(cmd: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'migrate',
    description: 'create the database if missing and apply pending migrations',
    load: async () => (await import('./commands/migrate.command.ts')).registerMigrate,
  },
  {
    name: 'doctor',
    description:
      'check the configuration, database, migrations, Redis (noeviction) and providers; exit 1 if any fails',
    load: async () => (await import('./commands/doctor.command.ts')).registerDoctor,
  },
  {
    name: 'workspace:create',
    description: 'create a workspace with its internal domains',
    load: async () =>
      (await import('./commands/workspace-create.command.ts')).registerWorkspaceCreate,
  },
  {
    name: 'workspace:list',
    description: 'list the workspaces with their settings and mailbox counts',
    load: async () => (await import('./commands/workspace-list.command.ts')).registerWorkspaceList,
  },
  {
    name: 'workspace:update',
    description: "change a workspace's name, internal domains, blocklist or auto-create policy",
    load: async () =>
      (await import('./commands/workspace-update.command.ts')).registerWorkspaceUpdate,
  },
  {
    name: 'mailbox:connect',
    description: 'store an already-consented mailbox (refresh token encrypted)',
    load: async () =>
      (await import('./commands/mailbox-connect.command.ts')).registerMailboxConnect,
  },
  {
    name: 'mailbox:connect-url',
    description: 'a signed, expiring link that connects a mailbox to the workspace through OAuth',
    load: async () =>
      (await import('./commands/mailbox-connect-url.command.ts')).registerMailboxConnectUrl,
  },
  {
    name: 'mailbox:list',
    description: 'list mailboxes (of one workspace, or all) with status and last sync',
    load: async () => (await import('./commands/mailbox-list.command.ts')).registerMailboxList,
  },
  {
    name: 'mailbox:status',
    description: 'status, stages, cursors, backfill progress and last error of a mailbox',
    load: async () => (await import('./commands/mailbox-status.command.ts')).registerMailboxStatus,
  },
  {
    name: 'mailbox:disconnect',
    description: "stop a mailbox's sync and delete its tokens (--purge also deletes its mail)",
    load: async () =>
      (await import('./commands/mailbox-disconnect.command.ts')).registerMailboxDisconnect,
  },
  {
    name: 'mailbox:resync',
    description: "clear a mailbox's sync cursors and queue a full sync (stored data is kept)",
    load: async () => (await import('./commands/mailbox-resync.command.ts')).registerMailboxResync,
  },
  {
    name: 'ingest:eml',
    description: 'ingest raw RFC 5322 files or folders as if synced from a mailbox',
    load: async () => (await import('./commands/ingest-eml.command.ts')).registerIngestEml,
  },
  {
    name: 'export',
    description: "print the workspace's CRM-visible data",
    load: async () => (await import('./commands/export.command.ts')).registerExport,
  },
  {
    name: 'sync',
    description: "run a mailbox's pending sync through the queue with an in-process worker",
    load: async () => (await import('./commands/sync.command.ts')).registerSync,
  },
  {
    name: 'calendar',
    description: "list the workspace's meetings overlapping a time window, one per meeting",
    load: async () => (await import('./commands/calendar.command.ts')).registerCalendar,
  },
  {
    name: 'keys:rotate',
    description:
      're-seal every stored secret with MAILROOM_ENCRYPTION_KEY (old keys in MAILROOM_ENCRYPTION_KEYS_OLD)',
    load: async () => (await import('./commands/keys-rotate.command.ts')).registerKeysRotate,
  },
  {
    name: 'webhook:create',
    description: 'subscribe a URL to events (all, or each --event); prints the signing secret once',
    load: async () => (await import('./commands/webhook-create.command.ts')).registerWebhookCreate,
  },
  {
    name: 'webhook:list',
    description: "list a workspace's webhooks with their state and last error",
    load: async () => (await import('./commands/webhook-list.command.ts')).registerWebhookList,
  },
  {
    name: 'apikey:create',
    description: 'create an API key for a workspace (printed once, stored hashed)',
    load: async () => (await import('./commands/apikey-create.command.ts')).registerApiKeyCreate,
  },
  {
    name: 'apikey:revoke',
    description: 'revoke an API key',
    load: async () => (await import('./commands/apikey-revoke.command.ts')).registerApiKeyRevoke,
  },
  {
    name: 'webhook:delete',
    description: 'delete a webhook with its deliveries',
    load: async () => (await import('./commands/webhook-delete.command.ts')).registerWebhookDelete,
  },
  {
    name: 'webhook:deliveries',
    description: "a webhook's deliveries, newest first (--event: one, with every attempt)",
    load: async () =>
      (await import('./commands/webhook-deliveries.command.ts')).registerWebhookDeliveries,
  },
  {
    name: 'webhook:replay',
    description: 'send deliveries again: one --event, or every one --since a time',
    load: async () => (await import('./commands/webhook-replay.command.ts')).registerWebhookReplay,
  },
  {
    name: 'tracking:ranges',
    description:
      'refresh a shipped IP range list of mail proxies and scanners from a vendor file (API processes load it when they start)',
    load: async () =>
      (await import('./commands/tracking-ranges.command.ts')).registerTrackingRanges,
  },
];

/**
 * The command a command line names: its first word that is not a flag (`help export` names
 * `export`). Undefined for a bare `--help` or an unknown word, which commander then reports.
 */
export function commandNamed(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const word = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === word);
}
