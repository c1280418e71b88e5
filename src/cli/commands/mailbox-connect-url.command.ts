import type { Command } from 'commander';
import { z } from 'zod';
import { normalizeAddress } from '../../addresses/address.ts';
import { createConnectLink } from '../../mailboxes/connect-link.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

/**
 * `mailbox:connect-url`: a signed, expiring link that starts the OAuth connection of one mailbox
 * to the workspace, for the rep who owns it. `/oauth/{provider}/start` refuses to start without one.
 */
export function registerMailboxConnectUrl(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--provider <provider>', 'google or microsoft')
    .option('--email <address>', 'the address to suggest on the consent page')
    .action(async (opts: { workspace: string; provider: string; email?: string }) => {
      const request = {
        workspaceId: parseFlag('workspace', uuidSchema, opts.workspace),
        provider: parseFlag(
          'provider',
          z.enum(['google', 'microsoft'], { message: 'must be google or microsoft' }),
          opts.provider,
        ),
        loginHint:
          opts.email === undefined
            ? null
            : parseFlag(
                'email',
                z
                  .string()
                  .transform((v) => normalizeAddress(v))
                  .refine((v): v is string => v !== null, { message: 'must be an email address' }),
                opts.email,
              ),
      };
      printResult(await withContext(({ em, config }) => createConnectLink(em, config, request)));
    });
}
