import type { Command } from 'commander';
import { listMailboxes } from '../../db/read-models/operator-lists.ts';
import { findWorkspace } from '../../db/repositories/workspace.repository.ts';
import { NotFoundError } from '../../errors.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';
import { parseFlag, uuidSchema } from '../validate.ts';

export function registerMailboxList(cmd: Command): void {
  cmd
    .option('--workspace <id>', "only this workspace's mailboxes")
    .action(async (opts: { workspace?: string }) => {
      const workspaceId =
        opts.workspace === undefined
          ? undefined
          : parseFlag('workspace', uuidSchema, opts.workspace);
      const mailboxes = await withContext(async ({ em }) => {
        if (workspaceId !== undefined && !(await findWorkspace(em, workspaceId))) {
          throw new NotFoundError(`workspace ${workspaceId} not found`);
        }
        return listMailboxes(em, workspaceId);
      });
      printResult({ mailboxes });
    });
}
