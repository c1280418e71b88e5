import type { Command } from 'commander';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { createWorkspace } from '../../workspaces/create-workspace.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag } from '../validate.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const domainSchema = z
  .string()
  .transform((d) => domainToASCII(d.trim().toLowerCase().replace(/^@/, '')))
  .refine((d) => d.includes('.'), { message: 'must be a domain such as acme.com' });

const blockSchema = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .refine((v) => v.includes('.'), { message: 'must be an address or a domain' });

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
