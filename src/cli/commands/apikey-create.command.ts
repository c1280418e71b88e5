import type { Command } from 'commander';
import { createApiKey } from '../../workspaces/api-keys.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

/** Prints `{"id","key"}`; the key is shown this once and stored hashed. */
export function registerApiKeyCreate(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .option('--name <name>', 'a label for the key (who or what uses it)', '')
    .action(async (opts: { workspace: string; name: string }) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      printResult(
        await withContext(({ em }) => createApiKey(em, { workspaceId, name: opts.name })),
      );
    });
}
