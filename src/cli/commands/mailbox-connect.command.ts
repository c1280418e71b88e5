import type { Command } from 'commander';
import { z } from 'zod';
import { requireEncryptionKey } from '../../config.ts';
import { AUTO_CREATE_POLICIES } from '../../crm/enrichment-settings.ts';
import { connectMailbox } from '../../mailboxes/connect-mailbox.ts';
import { SecretBox } from '../../security/secret-box.ts';
import { normalizeAddress } from '../../addresses/address.ts';
import { scheduleFirstSync } from '../../app/schedule-sync.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const addressSchema = z
  .string()
  .transform((v) => normalizeAddress(v))
  .refine((v): v is string => v !== null, { message: 'must be an email address' });

export function registerMailboxConnect(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--provider <provider>', 'google or microsoft')
    .requiredOption('--email <address>', 'mailbox address')
    .requiredOption('--refresh-token <token>', 'OAuth refresh token')
    .option('--alias <address>', 'another address of the owner (repeatable)', collect, [])
    .option('--auto-create <policy>', 'none, sent or sent_and_received')
    .action(
      async (opts: {
        workspace: string;
        provider: string;
        email: string;
        refreshToken: string;
        alias: string[];
        autoCreate?: string;
      }) => {
        const input = {
          workspaceId: parseFlag('workspace', uuidSchema, opts.workspace),
          provider: parseFlag(
            'provider',
            z.enum(['google', 'microsoft'], { message: 'must be google or microsoft' }),
            opts.provider,
          ),
          email: parseFlag('email', addressSchema, opts.email),
          refreshToken: parseFlag(
            'refresh-token',
            z.string().trim().min(1, 'must not be empty'),
            opts.refreshToken,
          ),
          aliases: opts.alias.map((a) => parseFlag('alias', addressSchema, a)),
          autoCreatePolicy:
            opts.autoCreate === undefined
              ? undefined
              : parseFlag(
                  'auto-create',
                  z.enum(AUTO_CREATE_POLICIES, {
                    message: 'must be none, sent or sent_and_received',
                  }),
                  opts.autoCreate,
                ),
        };
        const id = await withContext(async ({ em, config }) => {
          const box = new SecretBox(requireEncryptionKey(config));
          const mailboxId = await connectMailbox(em, box, input);
          await scheduleFirstSync(config, mailboxId);
          return mailboxId;
        });
        printResult({ id });
      },
    );
}
