import type { Command } from 'commander';
import { listWorkspaces } from '../../db/read-models/operator-lists.ts';
import { withContext } from '../context.ts';
import { printResult } from '../output.ts';

export function registerWorkspaceList(cmd: Command): void {
  cmd.action(async () => {
    const workspaces = await withContext(({ em }) => listWorkspaces(em));
    printResult({ workspaces });
  });
}
