import type { Command } from 'commander';
import { mailboxJobQueue } from '../../app/mailbox-job-queue.ts';
import { resyncMailbox } from '../../mailboxes/resync-mailbox.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerMailboxResync(cmd: Command): void {
  cmd.requiredOption('--mailbox <id>', 'mailbox id').action(async (opts: { mailbox: string }) => {
    const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
    const result = await withContext(({ em, config, services }) =>
      resyncMailbox(
        { em, jobs: mailboxJobQueue(() => services.syncQueue(), config.sync.calendarSync) },
        mailboxId,
      ),
    );
    printResult(result);
  });
}
