import type { Command } from 'commander';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../../errors.ts';
import { exportWorkspace } from '../../export/export-workspace.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerExport(cmd: Command): void {
  cmd
    .requiredOption('--workspace <id>', 'workspace id')
    .action(async (opts: { workspace: string }) => {
      const workspaceId = parseFlag('workspace', uuidSchema, opts.workspace);
      const data = await withContext(async ({ em }) => {
        if (!(await findWorkspace(em, workspaceId))) {
          throw new NotFoundError(`workspace ${workspaceId} not found`);
        }
        return exportWorkspace(em, workspaceId);
      });
      printResult(data);
    });
}
