import type { Command } from 'commander';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../../errors.ts';
import { listWebhooks } from '../../webhooks/webhook-admin.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerWebhookList(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .action(async (opts: { workspace: string }) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      const result = await withContext(async ({ em }) => {
        if ((await findWorkspace(em, workspaceId)) === null) {
          throw new NotFoundError(`workspace ${workspaceId} not found`);
        }
        return listWebhooks(em, workspaceId);
      });
      printResult(result);
    });
}
