import type { Command } from 'commander';
import { revokeApiKey } from '../../workspaces/api-keys.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerApiKeyRevoke(cmd: Command): void {
  cmd.requiredOption('--key <id>', 'API key id').action(async (opts: { key: string }) => {
    const id = parseFlag('key', uuidSchema, opts.key);
    printResult(await withContext(({ em }) => revokeApiKey(em, id)));
  });
}
