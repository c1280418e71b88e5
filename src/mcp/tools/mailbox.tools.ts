import { z } from 'zod';
import { getMailbox, listMailboxes } from '../../services/mailboxes.ts';
import { defineTool } from '../tool.ts';

export const mailboxTools = [
  defineTool({
    name: 'crm.mailbox.list',
    title: 'List mailboxes',
    description:
      "The workspace's connected mailboxes with their sync status, backfill progress and last error.",
    input: z.object({}),
    run: async ({ scope, services }) => ({
      items: await listMailboxes(scope, services.orm.em.fork()),
    }),
  }),
  defineTool({
    name: 'crm.mailbox.status',
    title: 'Mailbox status',
    description:
      "One mailbox's status: stages, backfill done/total and ETA, calendars, last error, counters.",
    input: z.object({ id: z.uuid().describe('mailbox id') }),
    run: async ({ scope, services }, input) => getMailbox(scope, services.orm.em.fork(), input.id),
  }),
];
