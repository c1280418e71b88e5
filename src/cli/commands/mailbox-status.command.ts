import type { Command } from 'commander';
import { mailboxStatus } from '../../mailboxes/mailbox-status.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerMailboxStatus(cmd: Command): void {
  cmd.requiredOption('--mailbox <id>', 'mailbox id').action(async (opts: { mailbox: string }) => {
    const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
    printResult(await withContext(({ em }) => mailboxStatus(em, mailboxId)));
  });
}
