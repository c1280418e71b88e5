import type { Command } from 'commander';
import { printResult } from '../output.ts';

/**
 * `mailroom doctor`: every check as one JSON document, even when some fail (the operator wants
 * them all, not the first); the exit code is 1 when any failed, for scripts and probes.
 */
export function registerDoctor(cmd: Command): void {
  cmd.action(async () => {
    const { runDoctor } = await import('../../app/doctor.ts');
    const report = await runDoctor();
    printResult(report);
    if (!report.ok) {
      process.exitCode = 1;
    }
  });
}
