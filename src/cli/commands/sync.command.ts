import type { Command } from 'commander';
import { runSyncNow } from '../../app/run-sync-now.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerSync(cmd: Command): void {
  cmd.requiredOption('--mailbox <id>', 'mailbox id').action(async (opts: { mailbox: string }) => {
    const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
    printResult(
      await withContext(({ orm, config, log }) => runSyncNow(config, orm, log, mailboxId)),
    );
  });
}
