import type { Command } from 'commander';
import { mailboxJobQueue } from '../../app/mailbox-job-queue.ts';
import { disconnectMailbox } from '../../mailboxes/disconnect-mailbox.ts';
import { grantRevoker } from '../../mailboxes/revoke-grant.ts';
import { createOAuthConnectors } from '../../providers/registry.ts';
import { pushCloser } from '../../push/close-push-channels.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerMailboxDisconnect(cmd: Command): void {
  cmd
    .requiredOption('--mailbox <id>', 'mailbox id')
    .option(
      '--purge',
      "also delete the mailbox's emails, calendar events and the activities only they support (people and companies stay)",
    )
    .action(async (opts: { mailbox: string; purge?: boolean }) => {
      const mailboxId = parseFlag('mailbox', uuidSchema, opts.mailbox);
      const result = await withContext(({ em, config, services }) =>
        disconnectMailbox(
          {
            em,
            jobs: mailboxJobQueue(() => services.syncQueue(), config.sync.calendarSync),
            revokeGrant: grantRevoker({
              connectors: createOAuthConnectors(config),
              secretBox: () => services.secretBox(),
              log: services.log,
            }),
            closePush: pushCloser({
              em: () => em,
              watches: () => services.providers().watch,
              log: services.log,
            }),
          },
          mailboxId,
          { purge: opts.purge === true },
        ),
      );
      printResult(result);
    });
}
