import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import { updateWorkspace } from '../../workspaces/update-workspace.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';
import { blockSchema, collect, domainSchema, policySchema } from '../workspace-flags.ts';

interface Flags {
  workspace: string;
  name?: string;
  domain: string[];
  clearDomains?: boolean;
  blocklist: string[];
  clearBlocklist?: boolean;
  policy?: string;
}

/** A list flag replaces the stored list; `--clear-…` empties it (a list cannot be given empty). */
function listUpdate(
  [flag, clearFlag]: [string, string],
  values: string[],
  clear: boolean | undefined,
  schema: z.ZodType<string>,
): string[] | undefined {
  if (clear && values.length > 0) {
    throw new InvalidInputError(`--${flag} and --${clearFlag} cannot be given together`);
  }
  if (clear) {
    return [];
  }
  return values.length > 0 ? values.map((v) => parseFlag(flag, schema, v)) : undefined;
}

export function registerWorkspaceUpdate(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .option('--name <name>', 'new name')
    .option('--domain <domain>', 'internal domain (repeatable; replaces the list)', collect, [])
    .option('--clear-domains', 'remove every internal domain')
    .option(
      '--blocklist <address-or-domain>',
      'blocklist entry (repeatable; replaces the list)',
      collect,
      [],
    )
    .option('--clear-blocklist', 'empty the blocklist')
    .option(
      '--policy <policy>',
      'auto-create policy (none, sent or sent_and_received) for the workspace and its mailboxes',
    )
    .action(async (opts: Flags) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      const name =
        opts.name === undefined
          ? undefined
          : parseFlag('name', z.string().trim().min(1, 'must not be empty'), opts.name);
      const internalDomains = listUpdate(
        ['domain', 'clear-domains'],
        opts.domain,
        opts.clearDomains,
        domainSchema,
      );
      const blocklist = listUpdate(
        ['blocklist', 'clear-blocklist'],
        opts.blocklist,
        opts.clearBlocklist,
        blockSchema,
      );
      const autoCreatePolicy =
        opts.policy === undefined ? undefined : parseFlag('policy', policySchema, opts.policy);
      const view = await withContext(({ em }) =>
        updateWorkspace(em, {
          workspaceId,
          ...(name === undefined ? {} : { name }),
          ...(internalDomains === undefined ? {} : { internalDomains }),
          ...(blocklist === undefined ? {} : { blocklist }),
          ...(autoCreatePolicy === undefined ? {} : { autoCreatePolicy }),
        }),
      );
      printResult(view);
    });
}
