import type { Command } from 'commander';
import { z } from 'zod';
import { createWorkspace } from '../../workspaces/create-workspace.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag } from '../validate.ts';
import { blockSchema, collect, domainSchema } from '../workspace-flags.ts';

export function registerWorkspaceCreate(cmd: Command): void {
  cmd
    .requiredOption('--name <name>', 'workspace name')
    .option('--domain <domain>', 'internal domain (repeatable)', collect, [])
    .option('--block <address-or-domain>', 'blocklist entry (repeatable)', collect, [])
    .action(async (opts: { name: string; domain: string[]; block: string[] }) => {
      const name = parseFlag('name', z.string().trim().min(1, 'must not be empty'), opts.name);
      const domains = opts.domain.map((d) => parseFlag('domain', domainSchema, d));
      const blocklist = opts.block.map((b) => parseFlag('block', blockSchema, b));
      const id = await withContext(({ em }) =>
        createWorkspace(em, { name, internalDomains: domains, blocklist }),
      );
      printResult({ id });
    });
}
