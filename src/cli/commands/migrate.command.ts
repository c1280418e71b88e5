import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { printResult } from '../output.ts';

export function registerMigrate(cmd: Command): void {
  cmd.action(async () => {
    const config = await loadConfig();
    printResult({ applied: await migrate(config.db.url) });
  });
}
